// esdh_connector: journalises the suite's documents in each municipality's
// ESDH system, following every service's change feed.
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "services/common/migrations.h"
#include "services/common/server_flags.h"
#include "services/common/service_main.h"
#include "services/esdh/connector.h"
#include "services/esdh/connector_config.h"
#include "services/esdh/document_source.h"
#include "services/esdh/esdh_admin_service.h"
#include "services/esdh/esdh_store.h"

ABSL_FLAG(std::string, config, "",
          "The connector's configuration (kommune.esdh.v1.ConnectorConfig, "
          "proto text or JSON): the feeds to follow and each "
          "municipality's sink.");

namespace kommune::esdh {

// Defined by the build from migrations/.
std::vector<EmbeddedFile> EsdhMigrationFiles();

namespace {

struct ConnectorServer {
  ConnectorServer(ServiceEnvironment& env, ConnectorSetup setup,
                  const std::string& secret)
      : store(env.db.get()),
        documents(MakeGrpcDocumentSource(setup.addresses, secret)),
        admin(&store, env.verifier.get(), [] { return absl::Now(); }) {
    std::vector<std::string> municipalities;
    for (const auto& [code, sink] : setup.sinks) municipalities.push_back(code);
    std::map<std::string, std::unique_ptr<FeedReader>> feeds;
    for (const auto& [service, address] :
         {std::pair{"policy", setup.addresses.policy},
          std::pair{"hearing", setup.addresses.hearing},
          std::pair{"followup", setup.addresses.followup}}) {
      if (!address.empty()) {
        feeds.emplace(service,
                      MakeGrpcFeedReader(address, municipalities, secret));
      }
    }
    connector = std::make_unique<Connector>(
        &store, documents.get(), std::move(setup.sinks), std::move(feeds),
        setup.options, [] { return absl::Now(); });
    runner = std::thread([this] { connector->Run(stopping); });
  }
  ~ConnectorServer() {
    stopping.Notify();
    runner.join();
  }

  EsdhStore store;
  std::unique_ptr<DocumentSource> documents;
  EsdhAdminServiceImpl admin;
  std::unique_ptr<Connector> connector;
  absl::Notification stopping;
  std::thread runner;
};

}  // namespace
}  // namespace kommune::esdh

int main(int argc, char** argv) {
  kommune::ServiceMainOptions options;
  options.name = "esdh_connector";
  options.default_port = 50054;
  options.usage =
      "esdh_connector: journalises hearing letters, responses, memos, "
      "decisions, adopted policies and published follow-up reports in each "
      "municipality's ESDH system, exactly once (kommune.esdh.v1).";
  options.setup =
      [](kommune::ServiceEnvironment& env,
         kommune::ServiceHost& host) -> absl::StatusOr<std::shared_ptr<void>> {
    if (absl::GetFlag(FLAGS_config).empty()) {
      return absl::InvalidArgumentError("--config: is required");
    }
    absl::StatusOr<kommune::esdh::ConnectorSetup> setup =
        kommune::esdh::LoadConnectorConfig(absl::GetFlag(FLAGS_config));
    if (!setup.ok()) return setup.status();
    if (auto s = kommune::ApplyMigrations(*env.db, "esdh",
                                          kommune::esdh::EsdhMigrationFiles());
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> secret = kommune::IdentitySecret();
    if (!secret.ok()) return secret.status();
    auto server = std::make_shared<kommune::esdh::ConnectorServer>(
        env, *std::move(setup), *secret);
    host.AddService(&server->admin);
    return std::shared_ptr<void>(server);
  };
  return kommune::RunServiceMain(argc, argv, options);
}
