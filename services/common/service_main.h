#ifndef KOMMUNE_SERVICES_COMMON_SERVICE_MAIN_H_
#define KOMMUNE_SERVICES_COMMON_SERVICE_MAIN_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "services/common/database.h"
#include "services/common/event_log.h"
#include "services/common/identity.h"
#include "services/common/service_host.h"

namespace kommune {

// What every service binary sets up the same way.
struct ServiceEnvironment {
  std::unique_ptr<Database> db;  // migrated for the change feed
  EventLog events;
  std::unique_ptr<IdentityVerifier> verifier;
};

struct ServiceMainOptions {
  std::string name;  // "policy_server"
  int default_port = 0;
  std::string usage;  // first paragraph of --help
  // Applies the service's own migrations and adds its services to the host.
  // Objects it creates must live until the function RunServiceMain returns,
  // so keep them in the returned holder.
  std::function<absl::StatusOr<std::shared_ptr<void>>(ServiceEnvironment&,
                                                      ServiceHost&)>
      setup;
};

// The whole life of a service process: flags (environment, then command
// line), database and migrations, change feed, identity secret, serving,
// and a graceful stop on SIGTERM or SIGINT. Returns the exit code: 0 after
// a clean stop, 2 for bad flags, 1 when it cannot start.
int RunServiceMain(int argc, char** argv, const ServiceMainOptions& options);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_SERVICE_MAIN_H_
