#ifndef KOMMUNE_GATEWAY_AUTH_JWKS_H_
#define KOMMUNE_GATEWAY_AUTH_JWKS_H_

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kommune::gateway {

// The JWS algorithms the gateway accepts. Only asymmetric ones: the gateway
// holds public keys only, so nothing it knows can forge a token.
enum class JwsAlgorithm { kRs256, kEs256 };

absl::string_view JwsAlgorithmName(JwsAlgorithm alg);
// "RS256" or "ES256"; nullopt for anything else ("none", "HS256", ...).
std::optional<JwsAlgorithm> ParseJwsAlgorithm(absl::string_view name);

// Strict base64url without padding (RFC 7515 section 2): any other character,
// padding or a non-canonical encoding is refused, so one token has exactly
// one spelling.
bool Base64UrlDecode(absl::string_view in, std::string* out);
std::string Base64UrlEncode(absl::string_view in);

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* pkey) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

// One public signing key. It is bound to a single algorithm, so a token must
// name that algorithm: a key published for RS256 can never be used to check
// an HS256 MAC keyed with the public key ("algorithm confusion").
class JwksKey {
 public:
  JwksKey(std::string kid, JwsAlgorithm alg, EvpPkeyPtr pkey)
      : kid_(std::move(kid)), alg_(alg), pkey_(std::move(pkey)) {}

  const std::string& kid() const { return kid_; }
  JwsAlgorithm algorithm() const { return alg_; }
  EVP_PKEY* pkey() const { return pkey_.get(); }

  // Checks a JWS signature over `signing_input` ("<header>.<payload>").
  // ES256 signatures are the raw 64-byte r||s of RFC 7518 section 3.4.
  // UNAUTHENTICATED when it does not verify.
  absl::Status Verify(absl::string_view signing_input,
                      absl::string_view signature) const;

 private:
  std::string kid_;
  JwsAlgorithm alg_;
  EvpPkeyPtr pkey_;
};

// An immutable key set parsed from a JWKS document (RFC 7517). Shared by
// pointer so that a reload can swap in a new set while requests still hold
// the old one.
class JwksKeys {
 public:
  // Accepts RSA keys (RS256, at least 2048 bits) and EC P-256 keys (ES256)
  // with a "kid". Keys with "use" other than "sig", other key types or
  // curves, and other "alg"s are skipped; a document left with no key is
  // INVALID_ARGUMENT, as is a malformed usable key (naming the field, e.g.
  // "keys[1].x: must be 32 bytes of base64url") or a duplicate kid.
  static absl::StatusOr<std::shared_ptr<const JwksKeys>> Parse(
      absl::string_view json);

  // nullptr when there is no key with that id.
  const JwksKey* Find(absl::string_view kid) const;

  const std::vector<JwksKey>& keys() const { return keys_; }

 private:
  explicit JwksKeys(std::vector<JwksKey> keys) : keys_(std::move(keys)) {}

  std::vector<JwksKey> keys_;
};

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_AUTH_JWKS_H_
