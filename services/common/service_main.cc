#include "services/common/service_main.h"

#include <csignal>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/change_feed_service.h"
#include "services/common/log.h"
#include "services/common/server_flags.h"

namespace kommune {

int RunServiceMain(int argc, char** argv, const ServiceMainOptions& options) {
  InitServerProcess(argc, argv, options.usage);
  absl::StatusOr<std::string> secret = IdentitySecret();
  if (!secret.ok()) {
    Log("ERROR", std::string(secret.status().message()));
    return 2;
  }
  std::string url = absl::GetFlag(FLAGS_database);
  if (url.empty()) {
    Log("ERROR", "database: --database (or KOMMUNE_DATABASE) is required");
    return 2;
  }
  if (secret->empty()) {
    Log("WARNING",
        "NO IDENTITY SECRET CONFIGURED: this service trusts unsigned identity "
        "headers from anyone who can reach it. Local development only; set "
        "--identity_secret_file in any shared installation.",
        {{"service", options.name}});
  }

  ServiceEnvironment env;
  env.verifier = std::make_unique<IdentityVerifier>(*secret);
  absl::StatusOr<std::unique_ptr<Database>> db =
      OpenDatabase(url, absl::GetFlag(FLAGS_database_pool_size));
  if (!db.ok()) {
    Log("ERROR", std::string(db.status().message()));
    return 1;
  }
  env.db = std::move(*db);
  if (absl::Status s = ApplyChangeFeedMigrations(*env.db); !s.ok()) {
    Log("ERROR", std::string(s.message()));
    return 1;
  }

  ServiceHost host(options.name);
  ChangeFeedServiceImpl change_feed(env.db.get(), &env.events,
                                    env.verifier.get());
  host.AddService(&change_feed);
  host.OnShutdown([&env] { env.events.Shutdown(); });
  absl::StatusOr<std::shared_ptr<void>> holder = options.setup(env, host);
  if (!holder.ok()) {
    Log("ERROR", std::string(holder.status().message()));
    return 1;
  }
  std::string address = ListenAddress(options.default_port);
  if (absl::Status s = host.Start(address); !s.ok()) {
    Log("ERROR", std::string(s.message()));
    return 1;
  }
  Log("INFO", "serving",
      {{"service", options.name},
       {"address", address},
       {"port", absl::StrCat(host.port())},
       {"database", env.db->engine() == Database::Engine::kSqlite
                        ? "sqlite"
                        : "postgresql"}});

  int signal = WaitForShutdownSignal();
  Log("INFO", "shutting down: finishing calls in flight",
      {{"service", options.name},
       {"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  host.Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  Log("INFO", "stopped", {{"service", options.name}});
  return 0;
}

}  // namespace kommune
