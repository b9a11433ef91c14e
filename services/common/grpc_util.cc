#include "services/common/grpc_util.h"

#include <string>

#include "absl/time/clock.h"

namespace kommune {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

absl::StatusOr<Identity> CallerIdentity(const grpc::ServerContextBase& context,
                                        const IdentityVerifier& verifier) {
  const auto& metadata = context.client_metadata();
  return verifier.Verify(
      [&metadata](absl::string_view name) -> std::optional<std::string> {
        auto it = metadata.find(grpc::string_ref(name.data(), name.size()));
        if (it == metadata.end()) return std::nullopt;
        return std::string(it->second.data(), it->second.size());
      },
      absl::Now());
}

void AttachIdentity(grpc::ClientContext& context, const Identity& identity,
                    absl::string_view secret) {
  for (const auto& [name, value] :
       IdentityHeaders(identity, secret, absl::Now())) {
    context.AddMetadata(name, value);
  }
}

}  // namespace kommune
