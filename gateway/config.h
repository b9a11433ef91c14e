#ifndef KOMMUNE_GATEWAY_CONFIG_H_
#define KOMMUNE_GATEWAY_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kommune/gateway/v1/gateway_config.pb.h"

namespace kommune::gateway {

using kommune::gateway::v1::GatewayConfig;

// Parses a configuration: JSON when `file_name` ends in .json, text proto
// otherwise. Unknown fields are errors, so a typo cannot pass unnoticed.
absl::StatusOr<GatewayConfig> ParseConfig(absl::string_view file_name,
                                          absl::string_view content);

// Makes the file names in `config` that are relative (TLS, JWKS, logs,
// secret, descriptors) relative to `directory`, the configuration's own.
void ResolvePaths(GatewayConfig& config, absl::string_view directory);

// Reads and parses the file, resolves its file names, fills in defaults and
// validates it.
absl::StatusOr<GatewayConfig> LoadConfig(const std::string& path);

// Fills in the documented defaults for unset fields.
void ApplyDefaults(GatewayConfig& config);

// INVALID_ARGUMENT naming the first wrong field, e.g.
// "backends[1].addresses: must not be empty".
absl::Status ValidateConfig(const GatewayConfig& config);

// Reads a whole file; NOT_FOUND names the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_CONFIG_H_
