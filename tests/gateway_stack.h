#ifndef KOMMUNE_TESTS_GATEWAY_STACK_H_
#define KOMMUNE_TESTS_GATEWAY_STACK_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gateway/auth/token_minter.h"
#include "gateway/config.h"
#include "tests/server_process.h"

namespace kommune::testing {

// The suite as a client meets it: policy servers behind a gateway, each a
// real process, configured from gateway/dev/gateway.textproto with fresh
// keys, ports and databases in a folder of their own.
class GatewayStack {
 public:
  struct Options {
    int policy_servers = 1;
    // Every service on its own database of the test PostgreSQL server
    // (KOMMUNE_TEST_POSTGRES_URL) instead of SQLite files.
    bool postgres = false;
    // Changes the configuration before the gateway starts.
    std::function<void(gateway::GatewayConfig&)> edit_config;
  };

  GatewayStack() = default;
  ~GatewayStack();

  absl::Status Start(const Options& options);
  absl::Status Start() { return Start(Options()); }
  void Stop();

  // A channel to the gateway's gRPC port.
  std::shared_ptr<grpc::Channel> Channel() const;
  // A signed token from the stack's identity provider.
  std::string Token(const std::vector<std::string>& municipalities,
                    const std::vector<std::string>& roles,
                    const std::string& subject = "tester@kommune.dk",
                    absl::Duration ttl = absl::Hours(1)) const;
  const gateway::TokenMinter& minter() const { return *minter_; }
  // An API key for municipality 101 with roles integration and editor,
  // and a revoked one.
  const std::string& api_key() const { return api_key_; }
  const std::string& revoked_api_key() const { return revoked_api_key_; }

  // Rewrites the configuration file (applying `edit` to the running one)
  // and sends SIGHUP; waits for the gateway to log the outcome.
  absl::Status Reconfigure(
      const std::function<void(gateway::GatewayConfig&)>& edit,
      bool expect_success = true);

  // Runs curl against the JSON port: POST `path` with `body` and headers.
  // Returns the HTTP status and the body.
  struct HttpAnswer {
    int status = 0;
    std::string body;
    std::string headers;
  };
  HttpAnswer PostJson(const std::string& path, const std::string& body,
                      const std::vector<std::string>& headers = {}) const;
  // GET on the admin port.
  HttpAnswer AdminGet(const std::string& path) const;

  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }
  int admin_port() const { return admin_port_; }
  const std::string& dir() const { return dir_; }
  const std::string& identity_secret() const { return secret_; }
  const gateway::GatewayConfig& config() const { return config_; }
  ServerProcess& gateway() { return gateway_; }
  ServerProcess& policy(int i) { return *policies_[i]; }
  const std::vector<std::string>& policy_addresses() const {
    return policy_addresses_;
  }

  static std::string Bin(const std::string& name);
  static std::string Source(const std::string& path);

 private:
  absl::Status WriteConfig();
  // The database URL for service `name`.
  absl::StatusOr<std::string> DatabaseUrl(const std::string& name);

  std::string dir_;
  std::string secret_;
  std::optional<gateway::TokenMinter> minter_;
  std::string api_key_;
  std::string revoked_api_key_;
  gateway::GatewayConfig config_;
  std::vector<std::unique_ptr<ServerProcess>> policies_;
  // The servers of the other backends (hearing_server, ...).
  std::vector<std::unique_ptr<ServerProcess>> others_;
  std::vector<std::string> policy_addresses_;
  ServerProcess gateway_;
  int grpc_port_ = 0;
  int http_port_ = 0;
  int admin_port_ = 0;
  int reloads_ = 0;
  bool stopped_ = true;
  bool postgres_ = false;
};

}  // namespace kommune::testing

#endif  // KOMMUNE_TESTS_GATEWAY_STACK_H_
