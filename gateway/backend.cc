#include "gateway/backend.h"

namespace kommune::gateway {

Backend::Backend(std::string name, std::vector<std::string> addresses,
                 const Options& options)
    : name_(std::move(name)), addresses_(std::move(addresses)) {
  for (const std::string& address : addresses_) {
    for (int connection = 0; connection < options.connections_per_address;
         ++connection) {
      grpc::ChannelArguments args;
      // Channels with equal arguments share their connections; a distinct
      // id gives each its own, so a backend's work is spread over several
      // HTTP/2 connections (and the backend's threads) instead of one.
      args.SetInt("kommune.connection", connection);
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetMaxReceiveMessageSize(options.max_response_bytes);
      args.SetMaxSendMessageSize(options.max_request_bytes);
      args.SetLoadBalancingPolicyName("round_robin");
      // A backend that comes back is used again within a second or two,
      // rather than after gRPC's default backoff of up to two minutes.
      args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
      args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
      args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
      // Keep idle connections open and notice dead peers.
      args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
      args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
      args.SetInt(GRPC_ARG_CLIENT_IDLE_TIMEOUT_MS, INT32_MAX);
      auto channel = grpc::CreateCustomChannel(
          address, grpc::InsecureChannelCredentials(), args);
      stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
      channels_.push_back(std::move(channel));
    }
  }
}

grpc::GenericStub& Backend::Pick() {
  size_t n = stubs_.size();
  size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  if (n == 1) return *stubs_[0];
  for (size_t i = 0; i < n; ++i) {
    size_t index = (start + i) % n;
    if (channels_[index]->GetState(false) != GRPC_CHANNEL_TRANSIENT_FAILURE) {
      return *stubs_[index];
    }
  }
  return *stubs_[start % n];
}

}  // namespace kommune::gateway
