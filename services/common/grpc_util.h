#ifndef KOMMUNE_SERVICES_COMMON_GRPC_UTIL_H_
#define KOMMUNE_SERVICES_COMMON_GRPC_UTIL_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/identity.h"

namespace kommune {

// Maps an absl::Status to the gRPC status a client sees. The codes share
// their numbers; the message keeps the field name our handlers put first.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The verified caller identity of a call (see IdentityVerifier).
absl::StatusOr<Identity> CallerIdentity(const grpc::ServerContext& context,
                                        const IdentityVerifier& verifier);

// Adds identity headers to an outgoing call's context.
void AttachIdentity(grpc::ClientContext& context, const Identity& identity,
                    absl::string_view secret);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_GRPC_UTIL_H_
