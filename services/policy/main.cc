// policy_server: the policy content service.
#include <memory>

#include "services/common/migrations.h"
#include "services/common/service_main.h"
#include "services/policy/policy_manager.h"
#include "services/policy/policy_service.h"
#include "services/policy/policy_store.h"

namespace {

struct PolicyServer {
  PolicyServer(kommune::ServiceEnvironment& env)
      : store(env.db.get(), &env.events),
        manager(&store),
        service(&manager, env.verifier.get()) {}
  kommune::policy::PolicyStore store;
  kommune::policy::PolicyManager manager;
  kommune::policy::PolicyServiceImpl service;
};

}  // namespace

int main(int argc, char** argv) {
  kommune::ServiceMainOptions options;
  options.name = "policy_server";
  options.default_port = 50051;
  options.usage =
      "policy_server: the policy content service (kommune.policy.v1). Holds "
      "municipal policies, their revisions, lifecycle, search, import and "
      "export.";
  options.setup =
      [](kommune::ServiceEnvironment& env,
         kommune::ServiceHost& host) -> absl::StatusOr<std::shared_ptr<void>> {
    if (auto s = kommune::ApplyMigrations(
            *env.db, "policy", kommune::policy::PolicyMigrationFiles());
        !s.ok()) {
      return s;
    }
    auto server = std::make_shared<PolicyServer>(env);
    host.AddService(&server->service);
    return std::shared_ptr<void>(server);
  };
  return kommune::RunServiceMain(argc, argv, options);
}
