// followup_server: follow-up on policies' success criteria (indicators,
// measurements, status, reporting rounds, reports, the shared catalogue).
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/common/server_flags.h"
#include "services/common/service_main.h"
#include "services/followup/followup_service.h"
#include "services/followup/measurement_csv.h"
#include "services/policy/client/policy_client.h"

ABSL_FLAG(std::string, policy_address, "127.0.0.1:50051",
          "The policy service (host:port), whose success criteria indicators "
          "point at, read through its public contract.");
ABSL_FLAG(absl::Duration, recompute_interval, absl::Hours(1),
          "How often every indicator's status is judged again, so that a "
          "deadline passing is announced in the change feed.");

namespace kommune::followup {

// Defined by the build from migrations/.
std::vector<EmbeddedFile> FollowUpMigrationFiles();

namespace {

struct FollowUpServer {
  FollowUpServer(ServiceEnvironment& env, std::string secret)
      : policies(MakeGrpcPolicyClient(
            grpc::CreateChannel(absl::GetFlag(FLAGS_policy_address),
                                grpc::InsecureChannelCredentials()),
            std::move(secret))),
        followup(env.db.get(), &env.events, policies.get(), env.verifier.get()),
        sweeper([this] {
          absl::Duration interval = absl::GetFlag(FLAGS_recompute_interval);
          while (!stopping.WaitForNotificationWithTimeout(interval)) {
            if (auto s = followup.manager().RecomputeAll(); !s.ok()) {
              Log("WARNING", "statuses not recomputed",
                  {{"error", std::string(s.message())}});
            }
          }
        }) {}
  ~FollowUpServer() {
    stopping.Notify();
    sweeper.join();
  }

  std::unique_ptr<PolicyClient> policies;
  FollowUpServiceImpl followup;
  absl::Notification stopping;
  std::thread sweeper;
};

}  // namespace
}  // namespace kommune::followup

int main(int argc, char** argv) {
  kommune::ServiceMainOptions options;
  options.name = "followup_server";
  options.default_port = 50053;
  options.usage =
      "followup_server: follow-up on policies (kommune.followup.v1). "
      "Indicators for success criteria, measurements, status and forecast, "
      "reporting rounds, the follow-up report and the shared catalogue.";
  options.setup =
      [](kommune::ServiceEnvironment& env,
         kommune::ServiceHost& host) -> absl::StatusOr<std::shared_ptr<void>> {
    if (absl::GetFlag(FLAGS_recompute_interval) < absl::Seconds(1)) {
      return absl::InvalidArgumentError("--recompute_interval: at least 1s");
    }
    if (auto s = kommune::ApplyMigrations(
            *env.db, "followup", kommune::followup::FollowUpMigrationFiles());
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> secret = kommune::IdentitySecret();
    if (!secret.ok()) return secret.status();
    auto server =
        std::make_shared<kommune::followup::FollowUpServer>(env, *secret);
    host.AddService(&server->followup);
    // A measurement file may be 32 MiB (kMaxCsvBytes) plus the request's
    // other fields; the parser refuses anything larger by name.
    host.set_max_request_bytes(kommune::followup::kMaxCsvBytes + (1 << 20));
    return std::shared_ptr<void>(server);
  };
  return kommune::RunServiceMain(argc, argv, options);
}
