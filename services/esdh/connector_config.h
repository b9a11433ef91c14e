#ifndef KOMMUNE_SERVICES_ESDH_CONNECTOR_CONFIG_H_
#define KOMMUNE_SERVICES_ESDH_CONNECTOR_CONFIG_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kommune/esdh/v1/connector_config.pb.h"
#include "services/esdh/connector.h"
#include "services/esdh/document_source.h"
#include "services/esdh/sink.h"

namespace kommune::esdh {

// A configuration made ready to run: options with defaults, a sink per
// municipality, the services' addresses.
struct ConnectorSetup {
  ConnectorOptions options;
  std::map<std::string, std::unique_ptr<Sink>> sinks;
  ServiceAddresses addresses;
};

// Reads the configuration file (proto text, or JSON for *.json), resolves
// its file names against the file's folder and builds the sinks.
// INVALID_ARGUMENT naming the field for anything wrong: an unknown service,
// a municipality twice or not Danish, a sink of no kind, a webhook URL off
// its allow-list, an unreadable secret file.
absl::StatusOr<ConnectorSetup> LoadConnectorConfig(const std::string& path);

// The same for a configuration already parsed, with file names relative to
// `base_dir`.
absl::StatusOr<ConnectorSetup> MakeConnectorSetup(
    const v1::ConnectorConfig& config, const std::string& base_dir);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_CONNECTOR_CONFIG_H_
