#include "services/common/server_flags.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

ABSL_FLAG(std::string, listen, "",
          "Address to serve gRPC on, host:port (env KOMMUNE_LISTEN). Empty "
          "means every interface on the service's own default port.");
ABSL_FLAG(std::string, database, "",
          "Database URL (env KOMMUNE_DATABASE): sqlite:///path/file.db or "
          "postgresql://user@host:port/dbname.");
ABSL_FLAG(int, database_pool_size, 8,
          "Most PostgreSQL connections this process holds (env "
          "KOMMUNE_DATABASE_POOL_SIZE); size it so that replicas times pool "
          "stays under the server's max_connections.");
ABSL_FLAG(std::string, identity_secret, "",
          "Shared secret the gateway signs caller identities with (env "
          "KOMMUNE_IDENTITY_SECRET). Empty trusts unsigned identity headers: "
          "local development only.");
ABSL_FLAG(std::string, identity_secret_file, "",
          "File holding the identity secret, for Kubernetes secrets (env "
          "KOMMUNE_IDENTITY_SECRET_FILE).");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "On SIGTERM/SIGINT, how long in-flight calls may run before they "
          "are cancelled (env KOMMUNE_SHUTDOWN_GRACE_SECONDS).");

namespace kommune {

absl::Status ApplyFlagEnvironment() {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    std::string variable =
        absl::StrCat(kFlagEnvironmentPrefix, absl::AsciiStrToUpper(name));
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(variable, ": ", error));
    }
  }
  return absl::OkStatus();
}

std::vector<char*> InitServerProcess(int argc, char** argv,
                                     absl::string_view usage) {
  absl::SetProgramUsageMessage(
      absl::StrCat(usage,
                   "\n\nEvery flag can also be set in the environment as "
                   "KOMMUNE_<FLAG NAME IN CAPITALS>; the command line wins."));
  absl::FlagsUsageConfig config;
  // Show our own flags under --help, not only those of the main file.
  auto ours = [](absl::string_view file) {
    return absl::StrContains(file, "services/") ||
           absl::StrContains(file, "gateway/") ||
           absl::StrContains(file, "tools/") ||
           absl::StrContains(file, "tests/");
  };
  config.contains_help_flags = ours;
  config.contains_helpshort_flags = ours;
  absl::SetFlagsUsageConfig(config);
  if (absl::Status status = ApplyFlagEnvironment(); !status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    std::exit(2);
  }
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return args;
}

std::string ListenAddress(int default_port) {
  std::string listen = absl::GetFlag(FLAGS_listen);
  if (!listen.empty()) return listen;
  return absl::StrCat("[::]:", default_port);
}

absl::StatusOr<std::string> IdentitySecret() {
  std::string secret = absl::GetFlag(FLAGS_identity_secret);
  std::string file = absl::GetFlag(FLAGS_identity_secret_file);
  if (!secret.empty() && !file.empty()) {
    return absl::InvalidArgumentError(
        "identity_secret: set either --identity_secret or "
        "--identity_secret_file, not both");
  }
  if (file.empty()) return secret;
  std::ifstream in(file);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity_secret_file: cannot read '", file, "'"));
  }
  std::stringstream content;
  content << in.rdbuf();
  secret = content.str();
  absl::StripTrailingAsciiWhitespace(&secret);
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity_secret_file: '", file, "' is empty"));
  }
  return secret;
}

}  // namespace kommune
