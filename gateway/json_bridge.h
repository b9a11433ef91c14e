#ifndef KOMMUNE_GATEWAY_JSON_BRIDGE_H_
#define KOMMUNE_GATEWAY_JSON_BRIDGE_H_

#include "gateway/call_observer.h"
#include "gateway/grpc_proxy.h"
#include "gateway/http/http_server.h"
#include "gateway/rate_limiter.h"

namespace kommune::gateway {

// Serves unary methods to JSON clients by the Connect protocol: POST
// /package.Service/Method with a proto3 JSON body (or application/proto),
// answered with the response in the same codec, or a Connect error. The
// call goes through the same checks as a gRPC call and is forwarded to the
// backend over gRPC. Streaming methods are for gRPC clients.
class JsonBridge {
 public:
  JsonBridge(StateSource state, RateLimiter* limiter, CallObserver* observer)
      : state_(std::move(state)), limiter_(limiter), observer_(observer) {}

  void Handle(HttpRequest request, HttpResponder respond);

 private:
  StateSource state_;
  RateLimiter* limiter_;
  CallObserver* observer_;
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_JSON_BRIDGE_H_
