#ifndef KOMMUNE_SERVICES_ESDH_TESTING_RECORDING_RECEIVER_H_
#define KOMMUNE_SERVICES_ESDH_TESTING_RECORDING_RECEIVER_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/http/http_server.h"

namespace kommune::esdh::testing {

// How the receiver misbehaves for one request.
struct Fault {
  enum class Kind {
    kNone,
    kStatus,   // answer `status` with `body` and `headers`; nothing is kept
    kDelay,    // take the request, answer only after `delay`
    kGarbage,  // take the request, answer 200 with `body` (not a receipt)
    kReset,    // read the request head, then reset the connection (RST)
  };
  Kind kind = Kind::kNone;
  int status = 503;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  absl::Duration delay = absl::Seconds(2);

  static Fault Status(
      int status, std::string body = "",
      std::vector<std::pair<std::string, std::string>> headers = {});
  static Fault ServerError() { return Status(503, "overloaded, try later"); }
  static Fault TooManyRequests() {
    return Status(429, "slow down", {{"Retry-After", "7"}});
  }
  static Fault Delay(absl::Duration delay);
  static Fault Garbage(std::string body = "<html>Login</html>");
  static Fault Reset();
};

// One request as it arrived.
struct RecordedRequest {
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower
  std::string body;  // empty for resets, whose body is never read
  absl::Time arrival;
  // For webhook deliveries when the receiver knows the secret: whether
  // X-Kommune-Signature matched HMAC-SHA256(secret, timestamp "." body).
  std::optional<bool> signature_valid;
  Fault::Kind fault = Fault::Kind::kNone;  // what the receiver did instead

  std::optional<std::string> Header(absl::string_view name) const;
};

// A distinct document, by Idempotency-Key, in order of first arrival.
struct ReceivedDocument {
  std::string idempotency_key;
  std::string document_number;  // "D-<n>"
  std::string body;             // of the first delivery
  int deliveries = 0;           // how often it came
  std::string document_id;      // case system only: "doc-<n>"
  std::string case_id;          // case system only
  bool journalized = false;     // case system only
};

// A case of the emulated case system.
struct EmulatedCase {
  std::string id;  // "C-<n>"
  std::string number, title, kle, template_name;
};

struct RecordingReceiverOptions {
  // Verify webhook signatures with it; empty: don't.
  std::string secret;
  // The emulated case system wants "Authorization: Bearer <token>", else
  // 401; empty: no check.
  std::string case_api_token;
  // Paths under it are the case system's; every other POST is a webhook.
  std::string case_system_path = "/case-api";
};

// A local HTTP receiver for the sinks' tests on 127.0.0.1 (a free port). It
// records every request, deduplicates webhook and case-system documents by
// Idempotency-Key (a repeat gets the first answer again) and answers 200
// {"document_number": "D-<n>"} to a webhook POST. It emulates the REST case
// system of case_system_sink.h under case_system_path:
//   GET  /cases?number=N     200 {"id"} or 404
//   POST /cases              201 {"id"}; 409 when the number exists
//   POST /cases/{id}/documents  201 {"document_id", "document_number"}
//   POST /documents/{id}/journalize  200 {}
//
// Faults: requests take them from a queue (FailNext) first, then with a
// probability (FailWithProbability). Status faults keep nothing; a delayed
// or garbage answer comes after the document was taken, as when a receiver
// commits and the answer is lost, so a retry must be deduplicated.
//
// Resets: HttpServer cannot reset a connection, so the public port is a
// small TCP relay in front of it. The relay decides when it accepts a
// connection: a reset due next (or drawn) is carried out there, by reading
// the request head and closing with SO_LINGER 0, which sends RST; other
// connections are piped through to the HttpServer. Every answer says
// "Connection: close", so each request comes on a connection of its own
// and the faults apply per request.
class RecordingReceiver {
 public:
  static absl::StatusOr<std::unique_ptr<RecordingReceiver>> Start(
      RecordingReceiverOptions options = {});
  ~RecordingReceiver();
  RecordingReceiver(const RecordingReceiver&) = delete;
  RecordingReceiver& operator=(const RecordingReceiver&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  std::string Url(absl::string_view path = "/journal") const;
  // The emulated case system's base URL.
  std::string CaseSystemUrl() const;

  // The next `n` requests get `fault` (after any queued before). A queued
  // Fault() lets a request through, to aim at a later one.
  void FailNext(int n, Fault fault);
  // Once the queue is empty, each request gets `fault` with probability
  // `p` (0 turns it off). Seeded, so runs repeat.
  void FailWithProbability(double p, Fault fault, unsigned seed = 1);
  void ClearFaults();

  std::vector<RecordedRequest> Requests() const;
  std::vector<ReceivedDocument> Documents() const;
  std::vector<EmulatedCase> Cases() const;
  // Waits until at least `n` requests were recorded.
  bool WaitForRequests(size_t n, absl::Duration timeout) const;

 private:
  explicit RecordingReceiver(RecordingReceiverOptions options);

  // Takes the next request's fault.
  Fault NextFault() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // For the relay: takes the next fault when it is a reset.
  bool TakeReset();

  void Handle(gateway::HttpRequest request, gateway::HttpResponder respond);
  gateway::HttpResponse Route(const gateway::HttpRequest& request,
                              RecordedRequest& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  gateway::HttpResponse Webhook(const gateway::HttpRequest& request,
                                RecordedRequest& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  gateway::HttpResponse CaseSystem(const gateway::HttpRequest& request,
                                   absl::string_view path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  void AcceptLoop();
  void Relay(int client);
  void ResetConnection(int client);
  void RunDetached(std::function<void()> work);

  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  const RecordingReceiverOptions options_;
  std::unique_ptr<gateway::HttpServer> server_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // written once at shutdown
  int port_ = 0;
  std::thread acceptor_;

  absl::Mutex workers_mu_;
  std::vector<Worker> workers_ ABSL_GUARDED_BY(workers_mu_);

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Fault> queued_ ABSL_GUARDED_BY(mu_);
  double probability_ ABSL_GUARDED_BY(mu_) = 0;
  Fault random_fault_ ABSL_GUARDED_BY(mu_);
  std::mt19937 random_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordedRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<ReceivedDocument> documents_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, size_t> document_by_key_ ABSL_GUARDED_BY(mu_);
  std::vector<EmulatedCase> cases_ ABSL_GUARDED_BY(mu_);
  int next_number_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace kommune::esdh::testing

#endif  // KOMMUNE_SERVICES_ESDH_TESTING_RECORDING_RECEIVER_H_
