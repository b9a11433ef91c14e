#ifndef KOMMUNE_GATEWAY_REFLECTION_SERVICE_H_
#define KOMMUNE_GATEWAY_REFLECTION_SERVICE_H_

#include "gateway/grpc_proxy.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace kommune::gateway {

// gRPC server reflection for the services behind the gateway, answered from
// the contracts' descriptors, so tools (grpcurl, Postman, Evans) discover
// everything through the one address. The gateway's own health and
// reflection services come from the binary's compiled-in descriptors.
class ReflectionService
    : public grpc::reflection::v1alpha::ServerReflection::CallbackService {
 public:
  explicit ReflectionService(StateSource state) : state_(std::move(state)) {}

  grpc::ServerBidiReactor<grpc::reflection::v1alpha::ServerReflectionRequest,
                          grpc::reflection::v1alpha::ServerReflectionResponse>*
  ServerReflectionInfo(grpc::CallbackServerContext* context) override;

 private:
  StateSource state_;
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_REFLECTION_SERVICE_H_
