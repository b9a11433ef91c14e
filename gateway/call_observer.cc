#include "gateway/call_observer.h"

#include <prometheus/text_serializer.h>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kommune::gateway {
namespace {

// Seconds; from a cached read (sub-millisecond) to a slow import.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,  0.5,    1,     2.5,  5,     10};

}  // namespace

std::string CodeName(absl::StatusCode code) {
  return absl::AsciiStrToLower(absl::StatusCodeToString(code));
}

absl::StatusOr<std::unique_ptr<JsonLineWriter>> JsonLineWriter::Open(
    const std::string& path) {
  if (path.empty() || path == "-") {
    return std::unique_ptr<JsonLineWriter>(new JsonLineWriter(stdout, false));
  }
  FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open ", path, " for appending"));
  }
  return std::unique_ptr<JsonLineWriter>(new JsonLineWriter(file, true));
}

JsonLineWriter::~JsonLineWriter() {
  if (owned_) std::fclose(file_);
}

void JsonLineWriter::Write(const std::string& line) {
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

CallObserver::CallObserver(std::unique_ptr<JsonLineWriter> access,
                           std::unique_ptr<JsonLineWriter> audit)
    : registry_(std::make_shared<prometheus::Registry>()),
      calls_(prometheus::BuildCounter()
                 .Name("kommune_gateway_calls_total")
                 .Help("Calls through the gateway by method, code and "
                       "municipality")
                 .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("kommune_gateway_call_duration_seconds")
                   .Help("Call latency at the gateway by method")
                   .Register(*registry_)),
      bytes_in_(prometheus::BuildCounter()
                    .Name("kommune_gateway_request_bytes_total")
                    .Help("Request bytes by method")
                    .Register(*registry_)),
      bytes_out_(prometheus::BuildCounter()
                     .Name("kommune_gateway_response_bytes_total")
                     .Help("Response bytes by method")
                     .Register(*registry_)),
      backend_up_(prometheus::BuildGauge()
                      .Name("kommune_gateway_backend_up")
                      .Help("1 when the backend answers its health check")
                      .Register(*registry_)),
      access_(std::move(access)),
      audit_(std::move(audit)) {}

void CallObserver::SetLogs(std::unique_ptr<JsonLineWriter> access,
                           std::unique_ptr<JsonLineWriter> audit) {
  absl::MutexLock lock(&logs_mu_);
  access_ = std::move(access);
  audit_ = std::move(audit);
}

void CallObserver::Record(const CallRecord& call) {
  std::string code = CodeName(call.code);
  calls_
      .Add({{"method", call.method},
            {"code", code},
            {"municipality", call.municipality}})
      .Increment();
  latency_.Add({{"method", call.method}}, kLatencyBuckets)
      .Observe(absl::ToDoubleSeconds(call.latency));
  bytes_in_.Add({{"method", call.method}})
      .Increment(static_cast<double>(call.bytes_in));
  bytes_out_.Add({{"method", call.method}})
      .Increment(static_cast<double>(call.bytes_out));

  nlohmann::json line = {
      {"time",
       absl::FormatTime(absl::RFC3339_full, call.start, absl::UTCTimeZone())},
      {"protocol", call.protocol},
      {"method", call.method},
      {"backend", call.backend},
      {"municipality", call.municipality},
      {"caller", call.principal},
      {"peer", call.peer},
      {"code", code},
      {"latency_ms", absl::ToDoubleMilliseconds(call.latency)},
      {"bytes_in", call.bytes_in},
      {"bytes_out", call.bytes_out}};
  if (call.code != absl::StatusCode::kOk) line["message"] = call.message;
  std::shared_ptr<JsonLineWriter> access, audit;
  {
    absl::MutexLock lock(&logs_mu_);
    access = access_;
    audit = audit_;
  }
  // Invalid UTF-8 from a caller is replaced, never allowed to throw.
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  if (access != nullptr) access->Write(line.dump(-1, ' ', false, kReplace));
  if (audit != nullptr && call.write) {
    nlohmann::json entry = {{"time", line["time"]},
                            {"caller", call.principal},
                            {"municipality", call.municipality},
                            {"method", call.method},
                            {"resources", call.resource_names},
                            {"code", code},
                            {"peer", call.peer}};
    if (!call.result_name.empty()) entry["result"] = call.result_name;
    audit->Write(entry.dump(-1, ' ', false, kReplace));
  }
}

void CallObserver::SetBackendUp(const std::string& backend, bool up) {
  backend_up_.Add({{"backend", backend}}).Set(up ? 1 : 0);
}

std::string CallObserver::MetricsText() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace kommune::gateway
