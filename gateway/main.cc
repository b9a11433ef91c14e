// The gateway binary: `gateway --config=FILE`. SIGHUP reloads the
// configuration; SIGINT and SIGTERM shut down gracefully.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gateway/auth/api_keys.h"
#include "gateway/gateway_server.h"
#include "services/common/log.h"
#include "services/common/server_flags.h"

ABSL_FLAG(std::string, config, "",
          "The gateway's configuration file (.textproto or .json).");
ABSL_FLAG(std::string, new_api_key, "",
          "Print a new API key with this id and the configuration entry "
          "that holds its hash, then exit.");
ABSL_FLAG(bool, check_config, false,
          "Validate --config and exit: 0 when it is valid.");

namespace {

int PrintNewApiKey(const std::string& id) {
  kommune::gateway::NewApiKey key = kommune::gateway::MakeApiKey(id);
  std::printf(
      "# Give the client this key (it is shown only once):\n"
      "#   x-api-key: %s\n"
      "# and add to the configuration's authentication block:\n"
      "api_keys {\n"
      "  id: \"%s\"\n"
      "  salt: \"%s\"\n"
      "  sha256: \"%s\"\n"
      "  municipalities: \"...\"  # the codes it acts for\n"
      "  roles: \"integration\"\n"
      "}\n",
      key.presented.c_str(), key.entry.id.c_str(), key.entry.salt_hex.c_str(),
      key.entry.sha256_hex.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  kommune::InitServerProcess(argc, argv,
                             "The shared gateway in front of every service.\n"
                             "  gateway --config=gateway.textproto\n"
                             "  gateway --new_api_key=esdh-connector-101");
  // Debian's Abseil checks every mutex acquisition for lock-order cycles,
  // which costs the hot path measurably; the tests run with the checks.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // SIGHUP reloads; taken by sigwait below, like SIGINT and SIGTERM.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (std::string id = absl::GetFlag(FLAGS_new_api_key); !id.empty()) {
    return PrintNewApiKey(id);
  }
  std::string config = absl::GetFlag(FLAGS_config);
  if (config.empty()) {
    std::fprintf(stderr, "--config is required (see --help)\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_check_config)) {
    auto loaded = kommune::gateway::LoadConfig(config);
    if (loaded.ok()) {
      auto state = kommune::gateway::BuildGatewayState(*loaded, {}, nullptr);
      if (state.ok()) {
        std::printf("%s: valid\n", config.c_str());
        return 0;
      }
      std::fprintf(stderr, "%s\n",
                   std::string(state.status().message()).c_str());
      return 1;
    }
    std::fprintf(stderr, "%s\n",
                 std::string(loaded.status().message()).c_str());
    return 1;
  }

  auto server = kommune::gateway::GatewayServer::Start(config);
  if (!server.ok()) {
    kommune::Log("ERROR", "gateway cannot start",
                 {{"error", std::string(server.status().message())}});
    return 1;
  }
  while (true) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal == SIGHUP) {
      (void)(*server)->Reload();  // logs its outcome
      continue;
    }
    kommune::Log("INFO", "shutting down", {{"signal", absl::StrCat(signal)}});
    (*server)->Shutdown(
        absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
    return 0;
  }
}
