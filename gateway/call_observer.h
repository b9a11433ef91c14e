#ifndef KOMMUNE_GATEWAY_CALL_OBSERVER_H_
#define KOMMUNE_GATEWAY_CALL_OBSERVER_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kommune::gateway {

// One finished call, as the access log, the audit log and the metrics see
// it.
struct CallRecord {
  absl::Time start;
  std::string protocol;  // "grpc" or "connect"
  std::string method;    // "/package.Service/Method", or "unknown"
  std::string backend;
  std::string municipality;
  std::string principal;  // see Caller::principal; empty before checks ran
  std::string peer;
  absl::StatusCode code = absl::StatusCode::kOk;
  std::string message;  // the status message, for failed calls
  absl::Duration latency;
  size_t bytes_in = 0;
  size_t bytes_out = 0;
  bool write = false;  // the method changes something: audited
  std::vector<std::string> resource_names;
  // The resource a successful write returned (its `name`), if any.
  std::string result_name;
};

// Appends JSON lines to a file, or to standard output for "-" or "".
class JsonLineWriter {
 public:
  static absl::StatusOr<std::unique_ptr<JsonLineWriter>> Open(
      const std::string& path);
  ~JsonLineWriter();
  void Write(const std::string& line);

 private:
  JsonLineWriter(FILE* file, bool owned) : file_(file), owned_(owned) {}
  absl::Mutex mu_;
  FILE* file_;
  bool owned_;
};

// Metrics for Prometheus, and the access and audit logs.
class CallObserver {
 public:
  // audit may be null (no audit log).
  CallObserver(std::unique_ptr<JsonLineWriter> access,
               std::unique_ptr<JsonLineWriter> audit);

  void Record(const CallRecord& call);
  void SetBackendUp(const std::string& backend, bool up);
  // Prometheus text exposition of every metric.
  std::string MetricsText() const;

  // Swaps the log files (configuration reload).
  void SetLogs(std::unique_ptr<JsonLineWriter> access,
               std::unique_ptr<JsonLineWriter> audit);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& bytes_in_;
  prometheus::Family<prometheus::Counter>& bytes_out_;
  prometheus::Family<prometheus::Gauge>& backend_up_;
  absl::Mutex logs_mu_;
  std::shared_ptr<JsonLineWriter> access_ ABSL_GUARDED_BY(logs_mu_);
  std::shared_ptr<JsonLineWriter> audit_ ABSL_GUARDED_BY(logs_mu_);
};

// The lower-case gRPC name of a code: "not_found".
std::string CodeName(absl::StatusCode code);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_CALL_OBSERVER_H_
