#ifndef KOMMUNE_GATEWAY_CALLER_H_
#define KOMMUNE_GATEWAY_CALLER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/auth/api_keys.h"
#include "gateway/auth/jwks_file.h"
#include "gateway/auth/jwt_verifier.h"
#include "services/common/identity.h"

namespace kommune::gateway {

// Request headers by lower-case name, from gRPC metadata or HTTP.
using HeaderLookup =
    std::function<std::optional<std::string>(absl::string_view name)>;

// Headers that carry credentials to the gateway. They never reach a service.
inline constexpr char kAuthorizationHeader[] = "authorization";
inline constexpr char kApiKeyHeader[] = "x-api-key";

// Who is calling, as the gateway established it.
struct Caller {
  enum class Kind { kAnonymous, kToken, kApiKey };
  Kind kind = Kind::kAnonymous;
  // Empty municipalities, roles and subject for anonymous callers.
  Identity identity;
  // The rate-limit and log key: "key:<id>", "token:<subject>" or
  // "address:<ip>".
  std::string principal;

  bool anonymous() const { return kind == Kind::kAnonymous; }
};

// Turns credentials into a Caller. Immutable; one per configuration.
class Authenticator {
 public:
  // jwks may be null: then bearer tokens are refused.
  Authenticator(std::shared_ptr<JwksFile> jwks, JwtRules rules,
                ApiKeyTable api_keys)
      : jwks_(std::move(jwks)),
        rules_(std::move(rules)),
        api_keys_(std::move(api_keys)) {}

  // No credentials: an anonymous caller. Bad credentials: UNAUTHENTICATED,
  // never a silent fall back to anonymous. Unknown municipality codes and
  // roles in a token are left out (identity providers carry other roles).
  // The JWKS file behind bearer tokens, or null.
  const std::shared_ptr<JwksFile>& jwks_file() const { return jwks_; }

  absl::StatusOr<Caller> Authenticate(const HeaderLookup& header,
                                      absl::string_view peer_address,
                                      absl::Time now) const;

 private:
  // A token that verified, kept so that its signature (an ECDSA or RSA
  // verification, the gateway's most expensive step) is checked once, not
  // on every call. Valid only with the same key set and within its times.
  struct VerifiedCaller {
    std::shared_ptr<const JwksKeys> keys;
    absl::Time expiry;      // exp + skew
    absl::Time not_before;  // nbf - skew, or the infinite past
    Caller caller;
  };
  // Bounded: a full cache is emptied, which costs only re-verification.
  static constexpr size_t kMaxCachedTokens = 10000;

  absl::StatusOr<Caller> AuthenticateToken(absl::string_view token,
                                           absl::Time now) const;

  std::shared_ptr<JwksFile> jwks_;
  JwtRules rules_;
  ApiKeyTable api_keys_;
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, VerifiedCaller> cache_
      ABSL_GUARDED_BY(cache_mu_);
};

// "ipv4:127.0.0.1:5000" or "ipv6:[::1]:5000" (gRPC's peer) to the address.
std::string PeerAddress(absl::string_view grpc_peer);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_CALLER_H_
