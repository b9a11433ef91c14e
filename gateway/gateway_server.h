#ifndef KOMMUNE_GATEWAY_GATEWAY_SERVER_H_
#define KOMMUNE_GATEWAY_GATEWAY_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gateway/call_observer.h"
#include "gateway/gateway_state.h"
#include "gateway/grpc_proxy.h"
#include "gateway/http/http_server.h"
#include "gateway/json_bridge.h"
#include "gateway/rate_limiter.h"
#include "gateway/reflection_service.h"

namespace kommune::gateway {

// The running gateway: the gRPC listener, the JSON listener, the admin
// listener, and a checker that watches backend health and the JWKS file.
class GatewayServer {
 public:
  // Loads the configuration at `config_path` and starts listening. An
  // invalid configuration is an error naming the field.
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Start(
      std::string config_path);
  ~GatewayServer();

  // Re-reads the configuration file. On error the running configuration
  // stays and the error is returned (and logged). Connections stay open.
  absl::Status Reload();

  // Stops accepting calls, lets calls under way finish within `grace`.
  void Shutdown(absl::Duration grace);

  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_ == nullptr ? 0 : http_->port(); }
  int admin_port() const { return admin_ == nullptr ? 0 : admin_->port(); }
  std::shared_ptr<const GatewayState> state() const;

 private:
  explicit GatewayServer(std::string config_path);
  absl::Status Install(std::shared_ptr<const GatewayState> state);
  void CheckLoop();
  void CheckBackends();
  void HandleAdmin(HttpRequest request, HttpResponder respond);

  std::string config_path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const GatewayState> state_ ABSL_GUARDED_BY(mu_);

  RateLimiter limiter_;
  std::unique_ptr<CallObserver> observer_;
  std::unique_ptr<GrpcProxy> proxy_;
  std::unique_ptr<JsonBridge> json_;
  std::unique_ptr<ReflectionService> reflection_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<HttpServer> admin_;
  int grpc_port_ = 0;

  // The service names the health service has answered for.
  absl::Mutex health_mu_;
  absl::flat_hash_set<std::string> health_services_ ABSL_GUARDED_BY(health_mu_);

  absl::Notification stopping_;
  std::thread checker_;
  bool shut_down_ = false;
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_GATEWAY_SERVER_H_
