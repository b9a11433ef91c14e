#ifndef KOMMUNE_SERVICES_COMMON_GRPC_UTIL_H_
#define KOMMUNE_SERVICES_COMMON_GRPC_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/identity.h"

namespace kommune {

// Maps an absl::Status to the gRPC status a client sees. The codes share
// their numbers; the message keeps the field name our handlers put first.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The verified caller identity of a call (see IdentityVerifier).
absl::StatusOr<Identity> CallerIdentity(const grpc::ServerContextBase& context,
                                        const IdentityVerifier& verifier);

// Adds identity headers to an outgoing call's context.
void AttachIdentity(grpc::ClientContext& context, const Identity& identity,
                    absl::string_view secret);

// The body of a unary handler: verify the caller, run `operation` (which
// returns absl::StatusOr<Response> or absl::Status) and map the outcome.
template <typename Request, typename Response, typename Operation>
grpc::Status Serve(const grpc::ServerContextBase& context,
                   const IdentityVerifier& verifier, const Request& request,
                   Response* response, Operation&& operation) {
  absl::StatusOr<Identity> caller = CallerIdentity(context, verifier);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto result = operation(*caller, request);
  if constexpr (std::is_same_v<decltype(result), absl::Status>) {
    return ToGrpcStatus(result);
  } else {
    if (!result.ok()) return ToGrpcStatus(result.status());
    *response = *std::move(result);
    return grpc::Status::OK;
  }
}

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_GRPC_UTIL_H_
