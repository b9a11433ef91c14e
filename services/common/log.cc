#include "services/common/log.h"

#include <cstdio>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace kommune {
namespace {

absl::Mutex& SinkMutex() {
  static absl::Mutex mu(absl::kConstInit);
  return mu;
}

std::function<void(absl::string_view)>& Sink() {
  static auto* sink = new std::function<void(absl::string_view)>();
  return *sink;
}

}  // namespace

void WriteLogLine(absl::string_view json) {
  absl::MutexLock lock(&SinkMutex());
  if (Sink()) {
    Sink()(json);
    return;
  }
  std::fwrite(json.data(), 1, json.size(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

void SetLogSink(std::function<void(absl::string_view line)> sink) {
  absl::MutexLock lock(&SinkMutex());
  Sink() = std::move(sink);
}

void Log(absl::string_view severity, absl::string_view message,
         const std::vector<LogField>& fields) {
  google::protobuf::Struct line;
  auto& f = *line.mutable_fields();
  f["time"].set_string_value(
      absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone()));
  f["severity"].set_string_value(std::string(severity));
  f["message"].set_string_value(std::string(message));
  for (const auto& [key, value] : fields) f[key].set_string_value(value);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(line, &json);
  WriteLogLine(json);
}

}  // namespace kommune
