#ifndef KOMMUNE_GATEWAY_JSON_BRIDGE_H_
#define KOMMUNE_GATEWAY_JSON_BRIDGE_H_

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
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

  // Cancels the backend calls still under way and waits until each has
  // answered, so none outlives the gateway (call after the HTTP server
  // stopped taking requests).
  void CancelAllAndWait();

  // Bookkeeping of calls under way, for CancelAllAndWait.
  void Track(grpc::ClientContext* context);
  void Untrack(grpc::ClientContext* context);

 private:
  StateSource state_;
  RateLimiter* limiter_;
  CallObserver* observer_;
  absl::Mutex mu_;
  absl::flat_hash_set<grpc::ClientContext*> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_JSON_BRIDGE_H_
