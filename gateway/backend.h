#ifndef KOMMUNE_GATEWAY_BACKEND_H_
#define KOMMUNE_GATEWAY_BACKEND_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kommune::gateway {

// One backend's channels: one per configured address. A DNS name gets
// round_robin over every address it resolves to, re-resolved as gRPC does
// when connections fail, so a Kubernetes headless service spreads calls
// over its pods. Calls rotate over the configured addresses, passing over
// channels that failed to connect while others did not.
class Backend {
 public:
  struct Options {
    int max_response_bytes = 16 << 20;
    int max_request_bytes = 4 << 20;
    // HTTP/2 connections to each address.
    int connections_per_address = 4;
  };

  Backend(std::string name, std::vector<std::string> addresses,
          const Options& options);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& addresses() const { return addresses_; }

  // The stub for the next call.
  grpc::GenericStub& Pick();
  // Every channel (connections_per_address per address), for health checks.
  const std::vector<std::shared_ptr<grpc::Channel>>& channels() const {
    return channels_;
  }

  // Health as last seen by the gateway's checker.
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
  void set_healthy(bool healthy) {
    healthy_.store(healthy, std::memory_order_relaxed);
  }

 private:
  std::string name_;
  std::vector<std::string> addresses_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> healthy_{false};
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_BACKEND_H_
