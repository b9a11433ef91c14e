#ifndef KOMMUNE_GATEWAY_AUTH_JWT_VERIFIER_H_
#define KOMMUNE_GATEWAY_AUTH_JWT_VERIFIER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/auth/jwks.h"

namespace kommune::gateway {

// What a token must say to be accepted; from the gateway's Jwt config.
struct JwtRules {
  std::string issuer;    // Must equal "iss".
  std::string audience;  // Must be in "aud".
  // Tolerance for clocks that disagree with the identity provider's.
  absl::Duration clock_skew = absl::Seconds(60);
  std::string municipalities_claim = "municipalities";
  std::string roles_claim = "roles";
};

// The claims the gateway uses, unvalidated: the caller maps municipality
// codes and role names (and decides what an unknown one means).
struct VerifiedToken {
  std::string subject;
  std::string issuer;
  std::vector<std::string> municipalities;
  std::vector<std::string> roles;
  absl::Time expiry;
  // "nbf", or the infinite past when the token has none.
  absl::Time not_before = absl::InfinitePast();
};

// Tokens larger than this are refused before any parsing.
inline constexpr size_t kMaxJwtBytes = 16 * 1024;

// Verifies a compact JWS (RFC 7515/7519) signed with RS256 or ES256 by a key
// in `keys`, and its registered claims against `rules` at time `now`.
// UNAUTHENTICATED with a short reason ("token expired at ...", "unknown key
// id \"k9\"", "algorithm \"none\" is not accepted") when it is not
// acceptable; INVALID_ARGUMENT when `rules` lacks an issuer or audience.
absl::StatusOr<VerifiedToken> VerifyJwt(absl::string_view token,
                                        const JwksKeys& keys,
                                        const JwtRules& rules, absl::Time now);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_AUTH_JWT_VERIFIER_H_
