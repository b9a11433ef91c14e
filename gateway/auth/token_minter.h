#ifndef KOMMUNE_GATEWAY_AUTH_TOKEN_MINTER_H_
#define KOMMUNE_GATEWAY_AUTH_TOKEN_MINTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/auth/jwks.h"
#include "nlohmann/json.hpp"

namespace kommune::gateway {

// Signs JWTs with a private key of its own: the identity provider of tests
// and of local development (tools/devtoken), never of production.
class TokenMinter {
 public:
  using Algorithm = JwsAlgorithm;

  // A fresh key pair: RSA 2048 for kRs256, P-256 for kEs256.
  static absl::StatusOr<TokenMinter> Create(Algorithm alg, std::string kid);

  // A key saved with PrivateKeyPem(); INVALID_ARGUMENT when it is not a
  // key for `alg`.
  static absl::StatusOr<TokenMinter> FromPrivateKeyPem(absl::string_view pem,
                                                       Algorithm alg,
                                                       std::string kid);

  // The public key as a JWKS document with one key (kid, use "sig", alg).
  std::string JwksJson() const;
  // The public key as one JWK object, for building multi-key documents.
  nlohmann::json Jwk() const;

  // PKCS#8 PEM of the private key.
  std::string PrivateKeyPem() const;

  // A compact JWS of `claims` (an object) with header {alg, kid, typ: JWT};
  // members of `extra_header` (an object, or null) are added or override
  // them, so tests can make tokens that lie about their algorithm or key.
  absl::StatusOr<std::string> Mint(
      const nlohmann::json& claims,
      const nlohmann::json& extra_header = {}) const;

  // Signs `signing_input` as the JWS algorithm of this key would.
  absl::StatusOr<std::string> Sign(absl::string_view signing_input) const;

  Algorithm algorithm() const { return alg_; }
  const std::string& kid() const { return kid_; }

 private:
  TokenMinter(Algorithm alg, std::string kid, EvpPkeyPtr pkey)
      : alg_(alg), kid_(std::move(kid)), pkey_(std::move(pkey)) {}

  Algorithm alg_;
  std::string kid_;
  EvpPkeyPtr pkey_;
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_AUTH_TOKEN_MINTER_H_
