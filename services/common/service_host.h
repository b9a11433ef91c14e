#ifndef KOMMUNE_SERVICES_COMMON_SERVICE_HOST_H_
#define KOMMUNE_SERVICES_COMMON_SERVICE_HOST_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace kommune {

// A gRPC server with what every service binary has: grpc.health.v1, server
// reflection, a JSON log line per call and graceful shutdown.
class ServiceHost {
 public:
  explicit ServiceHost(std::string name) : name_(std::move(name)) {}
  ~ServiceHost();

  // Services must outlive the host.
  void AddService(grpc::Service* service) { services_.push_back(service); }
  // The largest request accepted (gRPC's default is 4 MiB); larger ones get
  // RESOURCE_EXHAUSTED. Set before Start.
  void set_max_request_bytes(int bytes) { max_request_bytes_ = bytes; }
  // Runs at shutdown before the server drains, to end long streams.
  void OnShutdown(std::function<void()> fn) {
    on_shutdown_.push_back(std::move(fn));
  }

  // Listens on address (host:port; port 0 picks a free one) and serves.
  absl::Status Start(const std::string& address);
  int port() const { return port_; }
  const std::string& name() const { return name_; }

  // Reports NOT_SERVING, stops accepting calls, lets in-flight calls finish
  // within grace and cancels the rest.
  void Shutdown(absl::Duration grace);

 private:
  std::string name_;
  std::vector<grpc::Service*> services_;
  std::vector<std::function<void()>> on_shutdown_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  int max_request_bytes_ = 4 << 20;
};

// Blocks until SIGINT or SIGTERM (blocked by InitServerProcess) arrives and
// returns its number.
int WaitForShutdownSignal();

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_SERVICE_HOST_H_
