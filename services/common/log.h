#ifndef KOMMUNE_SERVICES_COMMON_LOG_H_
#define KOMMUNE_SERVICES_COMMON_LOG_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace kommune {

using LogField = std::pair<std::string, std::string>;

// Writes one JSON object per line to the log sink (stderr unless replaced),
// with "time", "severity" and "message" first. JSON comes from protobuf's
// own serializer, so every value is escaped correctly.
void Log(absl::string_view severity, absl::string_view message,
         const std::vector<LogField>& fields = {});

// Writes a line that is already JSON. For the call log.
void WriteLogLine(absl::string_view json);

// Replaces the sink (tests capture lines); an empty function restores stderr.
void SetLogSink(std::function<void(absl::string_view line)> sink);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_LOG_H_
