#ifndef KOMMUNE_SERVICES_COMMON_SERVER_FLAGS_H_
#define KOMMUNE_SERVICES_COMMON_SERVER_FLAGS_H_

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, database);
ABSL_DECLARE_FLAG(int, database_pool_size);
ABSL_DECLARE_FLAG(std::string, identity_secret);
ABSL_DECLARE_FLAG(std::string, identity_secret_file);
ABSL_DECLARE_FLAG(int, shutdown_grace_seconds);

namespace kommune {

// Environment variables that set flags are named KOMMUNE_<FLAG>, in capitals.
inline constexpr char kFlagEnvironmentPrefix[] = "KOMMUNE_";

// Sets every flag whose KOMMUNE_<NAME> variable is present in the
// environment. Call before absl::ParseCommandLine, so the command line wins.
absl::Status ApplyFlagEnvironment();

// --help text, environment, command line; exits 2 on a bad flag. Blocks
// SIGINT and SIGTERM so that WaitForShutdownSignal can take them; call
// before any thread starts.
std::vector<char*> InitServerProcess(int argc, char** argv,
                                     absl::string_view usage);

// --listen, or [::]:default_port when it is empty.
std::string ListenAddress(int default_port);

// --identity_secret, or the content of --identity_secret_file (trailing
// newline removed); empty when neither is set.
absl::StatusOr<std::string> IdentitySecret();

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_SERVER_FLAGS_H_
