// hearing_server: the hearing workflow service (hearings, responses, the
// hearing memo) and political treatment.
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/common/server_flags.h"
#include "services/common/service_main.h"
#include "services/hearing/hearing_service.h"
#include "services/hearing/treatment_service.h"
#include "services/policy/client/policy_client.h"

ABSL_FLAG(std::string, policy_address, "127.0.0.1:50051",
          "The policy service (host:port), which hearings and adoptions "
          "move through its public contract.");

namespace kommune::hearing {

// Defined by the build from migrations/.
std::vector<EmbeddedFile> HearingMigrationFiles();

namespace {

// How often adoptions the policy service could not confirm are retried.
constexpr absl::Duration kAdoptionRetryInterval = absl::Seconds(5);

struct HearingServer {
  HearingServer(ServiceEnvironment& env, std::string secret)
      : policies(MakeGrpcPolicyClient(
            grpc::CreateChannel(absl::GetFlag(FLAGS_policy_address),
                                grpc::InsecureChannelCredentials()),
            std::move(secret))),
        hearings(env.db.get(), &env.events, policies.get(), env.verifier.get()),
        treatment(env.db.get(), &env.events, policies.get(),
                  env.verifier.get()),
        retrier([this] {
          while (!stopping.WaitForNotificationWithTimeout(
              kAdoptionRetryInterval)) {
            if (auto s = treatment.RetryPendingAdoptions(absl::Now());
                !s.ok()) {
              Log("WARNING", "pending adoptions not completed yet",
                  {{"error", std::string(s.message())}});
            }
          }
        }) {}
  ~HearingServer() {
    stopping.Notify();
    retrier.join();
  }

  std::unique_ptr<PolicyClient> policies;
  HearingServiceImpl hearings;
  TreatmentServiceImpl treatment;
  absl::Notification stopping;
  std::thread retrier;
};

}  // namespace
}  // namespace kommune::hearing

int main(int argc, char** argv) {
  kommune::ServiceMainOptions options;
  options.name = "hearing_server";
  options.default_port = 50052;
  options.usage =
      "hearing_server: the hearing workflow service (kommune.hearing.v1). "
      "Hearings of policy revisions, responses, the hearing memo, and "
      "political treatment up to adoption.";
  options.setup =
      [](kommune::ServiceEnvironment& env,
         kommune::ServiceHost& host) -> absl::StatusOr<std::shared_ptr<void>> {
    if (auto s = kommune::ApplyMigrations(
            *env.db, "hearing", kommune::hearing::HearingMigrationFiles());
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> secret = kommune::IdentitySecret();
    if (!secret.ok()) return secret.status();
    auto server =
        std::make_shared<kommune::hearing::HearingServer>(env, *secret);
    host.AddService(&server->hearings);
    host.AddService(&server->treatment);
    return std::shared_ptr<void>(server);
  };
  return kommune::RunServiceMain(argc, argv, options);
}
