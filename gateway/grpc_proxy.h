#ifndef KOMMUNE_GATEWAY_GRPC_PROXY_H_
#define KOMMUNE_GATEWAY_GRPC_PROXY_H_

#include <grpcpp/generic/async_generic_service.h>

#include <functional>
#include <memory>

#include "gateway/call_observer.h"
#include "gateway/gateway_state.h"
#include "gateway/rate_limiter.h"

namespace kommune::gateway {

// The current configuration's state; called once per call.
using StateSource = std::function<std::shared_ptr<const GatewayState>()>;

// Forwards every gRPC call the server has no service of its own for: checks
// it (Admit), then passes the message bytes to the backend untouched, and
// the backend's answer, status and trailers back. Unary calls take a fast
// path; streaming calls are pumped message by message in both directions,
// with flow control, cancellation and deadlines carried through.
class GrpcProxy : public grpc::CallbackGenericService {
 public:
  GrpcProxy(StateSource state, RateLimiter* limiter, CallObserver* observer)
      : state_(std::move(state)), limiter_(limiter), observer_(observer) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

 private:
  friend class ProxyCall;
  StateSource state_;
  RateLimiter* limiter_;
  CallObserver* observer_;
};

// Metadata a client may not pass to a service: credentials for the gateway,
// the identity headers only the gateway sets, and gRPC's own.
bool IsGatewayOnlyHeader(absl::string_view name);

// Whether gRPC accepts the header: a legal key, and for text (non -bin)
// headers printable ASCII. gRPC aborts on anything else, so every header
// from a client is checked before it is passed on.
bool IsLegalMetadata(absl::string_view key, absl::string_view value);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_GRPC_PROXY_H_
