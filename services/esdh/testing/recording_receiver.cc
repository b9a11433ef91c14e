#include "services/esdh/testing/recording_receiver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"

namespace kommune::esdh::testing {
namespace {

using gateway::HttpRequest;
using gateway::HttpResponse;

HttpResponse Json(int status, const nlohmann::json& body) {
  return HttpResponse{
      status, {{"Content-Type", "application/json"}}, body.dump()};
}

HttpResponse Error(int status, absl::string_view message) {
  return Json(status, {{"error", std::string(message)}});
}

// Computed here rather than borrowed from the sink, so that the test checks
// the sink against an independent reading of the format.
bool SignatureValid(const std::string& secret, const HttpRequest& request) {
  auto timestamp = request.Header("X-Kommune-Timestamp");
  auto signature = request.Header("X-Kommune-Signature");
  int64_t seconds = 0;
  if (!timestamp || !signature || !absl::SimpleAtoi(*timestamp, &seconds)) {
    return false;
  }
  std::string text = absl::StrCat(*timestamp, ".", request.body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac,
       &len);
  std::string expected =
      absl::StrCat("sha256=", absl::BytesToHexString(absl::string_view(
                                  reinterpret_cast<const char*>(mac), len)));
  return expected.size() == signature->size() &&
         CRYPTO_memcmp(expected.data(), signature->data(), expected.size()) ==
             0;
}

std::string PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::optional<std::string> QueryValue(absl::string_view query,
                                      absl::string_view name) {
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first == name) return PercentDecode(kv.second);
  }
  return std::nullopt;
}

// Writes all of `data`; false when the peer is gone.
bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Fault Fault::Status(int status, std::string body,
                    std::vector<std::pair<std::string, std::string>> headers) {
  Fault fault;
  fault.kind = Kind::kStatus;
  fault.status = status;
  fault.body = std::move(body);
  fault.headers = std::move(headers);
  return fault;
}

Fault Fault::Delay(absl::Duration delay) {
  Fault fault;
  fault.kind = Kind::kDelay;
  fault.delay = delay;
  return fault;
}

Fault Fault::Garbage(std::string body) {
  Fault fault;
  fault.kind = Kind::kGarbage;
  fault.body = std::move(body);
  return fault;
}

Fault Fault::Reset() {
  Fault fault;
  fault.kind = Kind::kReset;
  return fault;
}

std::optional<std::string> RecordedRequest::Header(
    absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

RecordingReceiver::RecordingReceiver(RecordingReceiverOptions options)
    : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<RecordingReceiver>> RecordingReceiver::Start(
    RecordingReceiverOptions options) {
  std::unique_ptr<RecordingReceiver> receiver(
      new RecordingReceiver(std::move(options)));
  gateway::HttpServerOptions server_options;
  server_options.address = "127.0.0.1:0";
  server_options.max_body_bytes = 64 << 20;  // documents of 20 MiB, base64
  server_options.shutdown_grace = absl::Seconds(1);
  RecordingReceiver* self = receiver.get();
  auto server = gateway::HttpServer::Start(
      server_options,
      [self](HttpRequest request, gateway::HttpResponder respond) {
        self->Handle(std::move(request), std::move(respond));
      });
  if (!server.ok()) return server.status();
  receiver->server_ = *std::move(server);

  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0 ||
      pipe2(receiver->wake_pipe_, O_CLOEXEC) != 0) {
    int error = errno;
    if (fd >= 0) close(fd);
    return absl::InternalError(
        absl::StrCat("recording receiver: cannot listen: ", strerror(error)));
  }
  receiver->listen_fd_ = fd;
  receiver->port_ = ntohs(address.sin_port);
  receiver->acceptor_ = std::thread([self] { self->AcceptLoop(); });
  return receiver;
}

RecordingReceiver::~RecordingReceiver() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;  // delayed answers go out now
  }
  if (wake_pipe_[1] >= 0) {
    // Never drained: every relay's poll sees it.
    (void)!write(wake_pipe_[1], "x", 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  if (server_ != nullptr) server_->Shutdown();
  std::vector<Worker> workers;
  {
    absl::MutexLock lock(&workers_mu_);
    workers.swap(workers_);
  }
  for (Worker& worker : workers) worker.thread.join();
  for (int fd : {listen_fd_, wake_pipe_[0], wake_pipe_[1]}) {
    if (fd >= 0) close(fd);
  }
}

std::string RecordingReceiver::Url(absl::string_view path) const {
  return absl::StrCat("http://127.0.0.1:", port_, path);
}

std::string RecordingReceiver::CaseSystemUrl() const {
  return Url(options_.case_system_path);
}

void RecordingReceiver::FailNext(int n, Fault fault) {
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < n; ++i) queued_.push_back(fault);
}

void RecordingReceiver::FailWithProbability(double p, Fault fault,
                                            unsigned seed) {
  absl::MutexLock lock(&mu_);
  probability_ = p;
  random_fault_ = std::move(fault);
  random_.seed(seed);
}

void RecordingReceiver::ClearFaults() {
  absl::MutexLock lock(&mu_);
  queued_.clear();
  probability_ = 0;
}

std::vector<RecordedRequest> RecordingReceiver::Requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

std::vector<ReceivedDocument> RecordingReceiver::Documents() const {
  absl::MutexLock lock(&mu_);
  return documents_;
}

std::vector<EmulatedCase> RecordingReceiver::Cases() const {
  absl::MutexLock lock(&mu_);
  return cases_;
}

bool RecordingReceiver::WaitForRequests(size_t n,
                                        absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return requests_.size() >= n;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

Fault RecordingReceiver::NextFault() {
  if (!queued_.empty()) {
    Fault fault = std::move(queued_.front());
    queued_.pop_front();
    return fault;
  }
  if (probability_ > 0 && random_fault_.kind != Fault::Kind::kReset &&
      std::uniform_real_distribution<double>(0, 1)(random_) < probability_) {
    return random_fault_;
  }
  return Fault();
}

bool RecordingReceiver::TakeReset() {
  absl::MutexLock lock(&mu_);
  if (!queued_.empty()) {
    if (queued_.front().kind != Fault::Kind::kReset) return false;
    queued_.pop_front();
    return true;
  }
  return probability_ > 0 && random_fault_.kind == Fault::Kind::kReset &&
         std::uniform_real_distribution<double>(0, 1)(random_) < probability_;
}

void RecordingReceiver::Handle(HttpRequest request,
                               gateway::HttpResponder respond) {
  RecordedRequest record;
  record.method = request.method;
  record.path = request.path;
  record.query = request.query;
  record.headers = request.headers;
  record.body = request.body;
  record.arrival = absl::Now();
  HttpResponse response;
  Fault fault;
  {
    absl::MutexLock lock(&mu_);
    fault = NextFault();
    record.fault = fault.kind;
    switch (fault.kind) {
      case Fault::Kind::kStatus:
        response = HttpResponse{fault.status, fault.headers, fault.body};
        break;
      case Fault::Kind::kReset:
        // Only under concurrent requests: the relay had already let this
        // connection through. The nearest thing it can still do.
        response = Error(503, "a reset was due, but the connection was open");
        break;
      default:
        response = Route(request, record);
        if (fault.kind == Fault::Kind::kGarbage) {
          response =
              HttpResponse{200, {{"Content-Type", "text/html"}}, fault.body};
        }
    }
    requests_.push_back(std::move(record));
  }
  // One request per connection, so that the relay's per-connection reset
  // decision is a per-request one.
  response.headers.emplace_back("Connection", "close");
  if (fault.kind != Fault::Kind::kDelay) {
    respond(std::move(response));
    return;
  }
  RunDetached([this, delay = fault.delay, respond = std::move(respond),
               response = std::move(response)]() mutable {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), delay);
    }
    respond(std::move(response));
  });
}

HttpResponse RecordingReceiver::Route(const HttpRequest& request,
                                      RecordedRequest& record) {
  absl::string_view path = request.path;
  absl::string_view prefix = options_.case_system_path;
  if (!prefix.empty() && absl::ConsumePrefix(&path, prefix) &&
      (path.empty() || path[0] == '/')) {
    return CaseSystem(request, path);
  }
  if (request.method != "POST") return Error(405, "webhooks are POSTed");
  return Webhook(request, record);
}

HttpResponse RecordingReceiver::Webhook(const HttpRequest& request,
                                        RecordedRequest& record) {
  if (!options_.secret.empty()) {
    record.signature_valid = SignatureValid(options_.secret, request);
  }
  auto key = request.Header("Idempotency-Key");
  if (!key || key->empty()) return Error(400, "Idempotency-Key is required");
  auto it = document_by_key_.find(*key);
  if (it != document_by_key_.end()) {
    ReceivedDocument& document = documents_[it->second];
    ++document.deliveries;
    return Json(200, {{"document_number", document.document_number}});
  }
  ReceivedDocument document;
  document.idempotency_key = *key;
  document.document_number = absl::StrCat("D-", next_number_++);
  document.body = request.body;
  document.deliveries = 1;
  document_by_key_[*key] = documents_.size();
  documents_.push_back(document);
  return Json(200, {{"document_number", document.document_number}});
}

HttpResponse RecordingReceiver::CaseSystem(const HttpRequest& request,
                                           absl::string_view path) {
  if (!options_.case_api_token.empty() &&
      request.Header("Authorization") !=
          absl::StrCat("Bearer ", options_.case_api_token)) {
    return Error(401, "a valid bearer token is required");
  }
  std::vector<std::string> segments;
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    if (!segment.empty()) segments.push_back(PercentDecode(segment));
  }
  const std::string& method = request.method;
  if (segments.size() == 1 && segments[0] == "cases" && method == "GET") {
    auto number = QueryValue(request.query, "number");
    if (!number) return Error(400, "number is required");
    for (const EmulatedCase& c : cases_) {
      if (c.number == *number) return Json(200, {{"id", c.id}});
    }
    return Error(404, "no case with that number");
  }
  if (segments.size() == 1 && segments[0] == "cases" && method == "POST") {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("number") ||
        !body["number"].is_string()) {
      return Error(400, "a JSON object with a string \"number\" is required");
    }
    EmulatedCase c;
    c.number = body["number"].get<std::string>();
    for (const EmulatedCase& existing : cases_) {
      if (existing.number == c.number) return Error(409, "the case exists");
    }
    c.id = absl::StrCat("C-", cases_.size() + 1);
    c.title = body.value("title", "");
    c.kle = body.value("kle", "");
    c.template_name = body.value("template", "");
    cases_.push_back(c);
    return Json(201, {{"id", c.id}});
  }
  if (segments.size() == 3 && segments[0] == "cases" &&
      segments[2] == "documents" && method == "POST") {
    bool known = false;
    for (const EmulatedCase& c : cases_) known = known || c.id == segments[1];
    if (!known) return Error(404, "no such case");
    auto key = request.Header("Idempotency-Key");
    if (!key || key->empty()) return Error(400, "Idempotency-Key is required");
    auto it = document_by_key_.find(*key);
    if (it != document_by_key_.end()) {
      ReceivedDocument& document = documents_[it->second];
      ++document.deliveries;
      return Json(201, {{"document_id", document.document_id},
                        {"document_number", document.document_number}});
    }
    if (!nlohmann::json::parse(request.body, nullptr, false).is_object()) {
      return Error(400, "the document must be a JSON object");
    }
    ReceivedDocument document;
    document.idempotency_key = *key;
    int n = next_number_++;
    document.document_number = absl::StrCat("D-", n);
    document.document_id = absl::StrCat("doc-", n);
    document.case_id = segments[1];
    document.body = request.body;
    document.deliveries = 1;
    document_by_key_[*key] = documents_.size();
    documents_.push_back(document);
    return Json(201, {{"document_id", document.document_id},
                      {"document_number", document.document_number}});
  }
  if (segments.size() == 3 && segments[0] == "documents" &&
      segments[2] == "journalize" && method == "POST") {
    for (ReceivedDocument& document : documents_) {
      if (!document.document_id.empty() &&
          document.document_id == segments[1]) {
        document.journalized = true;  // again is fine: idempotent
        return Json(200, nlohmann::json::object());
      }
    }
    return Error(404, "no such document");
  }
  return Error(404, "no such endpoint of the case system");
}

void RecordingReceiver::RunDetached(std::function<void()> work) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([work = std::move(work), done] {
    work();
    done->store(true);
  });
  absl::MutexLock lock(&workers_mu_);
  // Reap the finished ones so that a long test does not pile them up.
  std::vector<Worker> running;
  for (Worker& worker : workers_) {
    if (worker.done->load()) {
      worker.thread.join();
    } else {
      running.push_back(std::move(worker));
    }
  }
  running.push_back(Worker{std::move(thread), std::move(done)});
  workers_.swap(running);
}

void RecordingReceiver::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (TakeReset()) {
      RunDetached([this, client] { ResetConnection(client); });
    } else {
      RunDetached([this, client] { Relay(client); });
    }
  }
}

void RecordingReceiver::ResetConnection(int client) {
  // Read the head, so the client has sent its request and is waiting for
  // the answer when the reset comes.
  std::string head;
  absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (!absl::StrContains(head, "\r\n\r\n") && head.size() < (64 << 10)) {
    pollfd fds[2] = {{client, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int wait_ms =
        static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (wait_ms <= 0 || poll(fds, 2, wait_ms) <= 0 || fds[1].revents != 0) {
      break;
    }
    char buffer[4096];
    ssize_t n = recv(client, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    head.append(buffer, static_cast<size_t>(n));
  }
  RecordedRequest record;
  record.arrival = absl::Now();
  record.fault = Fault::Kind::kReset;
  head.resize(std::min(head.size(), head.find("\r\n\r\n")));
  std::vector<absl::string_view> lines =
      absl::StrSplit(head, "\r\n", absl::SkipEmpty());
  if (!lines.empty()) {
    std::vector<absl::string_view> words = absl::StrSplit(lines[0], ' ');
    if (words.size() >= 2) {
      record.method = std::string(words[0]);
      std::pair<absl::string_view, absl::string_view> target =
          absl::StrSplit(words[1], absl::MaxSplits('?', 1));
      record.path = std::string(target.first);
      record.query = std::string(target.second);
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos) continue;
      record.headers.emplace_back(
          absl::AsciiStrToLower(lines[i].substr(0, colon)),
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1))));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    requests_.push_back(std::move(record));
  }
  // Linger on, for zero seconds: close() sends RST instead of FIN.
  linger reset{1, 0};
  setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  close(client);
}

void RecordingReceiver::Relay(int client) {
  int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(server_->port()));
  if (upstream < 0 || connect(upstream, reinterpret_cast<sockaddr*>(&address),
                              sizeof(address)) != 0) {
    if (upstream >= 0) close(upstream);
    close(client);
    return;
  }
  // Each direction until its EOF; half-closes are passed on.
  bool client_open = true, upstream_open = true;
  char buffer[64 << 10];
  while (client_open || upstream_open) {
    pollfd fds[3] = {{client_open ? client : -1, POLLIN, 0},
                     {upstream_open ? upstream : -1, POLLIN, 0},
                     {wake_pipe_[0], POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) break;
    bool failed = false;
    for (int side = 0; side < 2 && !failed; ++side) {
      if (fds[side].revents == 0) continue;
      int from = side == 0 ? client : upstream;
      int to = side == 0 ? upstream : client;
      ssize_t n = recv(from, buffer, sizeof(buffer), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        failed = true;
      } else if (n == 0) {
        shutdown(to, SHUT_WR);
        (side == 0 ? client_open : upstream_open) = false;
      } else if (!SendAll(to, buffer, static_cast<size_t>(n))) {
        failed = true;
      }
    }
    if (failed) break;
  }
  close(upstream);
  close(client);
}

}  // namespace kommune::esdh::testing
