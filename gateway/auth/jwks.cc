#include "gateway/auth/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gateway/auth/openssl_util.h"
#include "nlohmann/json.hpp"

namespace kommune::gateway {
namespace {

using json = nlohmann::json;

constexpr int kMinRsaBits = 2048;
constexpr size_t kP256CoordinateBytes = 32;

std::string Quote(absl::string_view s) {
  return absl::StrCat("\"", absl::CHexEscape(s.substr(0, 100)), "\"");
}

absl::Status FieldError(size_t index, absl::string_view field,
                        absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(
      "keys[", index, "]", field.empty() ? "" : ".", field, ": ", problem));
}

// Reads an optional string member; `found` tells whether it was there.
absl::Status OptionalString(const json& key, size_t index, const char* name,
                            std::string& value, bool& found) {
  auto it = key.find(name);
  found = it != key.end();
  if (!found) return absl::OkStatus();
  if (!it->is_string()) return FieldError(index, name, "must be a string");
  value = it->get<std::string>();
  return absl::OkStatus();
}

absl::Status RequiredBytes(const json& key, size_t index, const char* name,
                           std::string& bytes) {
  std::string text;
  bool found = false;
  if (absl::Status s = OptionalString(key, index, name, text, found); !s.ok()) {
    return s;
  }
  if (!found || text.empty()) return FieldError(index, name, "required");
  if (!Base64UrlDecode(text, &bytes)) {
    return FieldError(index, name, "must be base64url without padding");
  }
  return absl::OkStatus();
}

absl::StatusOr<EvpPkeyPtr> KeyFromParams(const char* type,
                                         OSSL_PARAM_BLD* builder) {
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(builder));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr ||
      EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) !=
          1) {
    return OpenSslError("key is not valid");
  }
  EvpPkeyPtr pkey(raw);
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return OpenSslError("key is not valid");
  }
  return pkey;
}

absl::StatusOr<EvpPkeyPtr> RsaKey(const json& key, size_t index) {
  std::string n, e;
  if (absl::Status s = RequiredBytes(key, index, "n", n); !s.ok()) return s;
  if (absl::Status s = RequiredBytes(key, index, "e", e); !s.ok()) return s;
  BignumPtr n_bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr));
  BignumPtr e_bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr));
  if (n_bn == nullptr || e_bn == nullptr) return OpenSslError("out of memory");
  int bits = BN_num_bits(n_bn.get());
  if (bits < kMinRsaBits) {
    return FieldError(
        index, "n",
        absl::StrCat("RSA key of ", bits, " bits is too short (minimum ",
                     kMinRsaBits, ")"));
  }
  OsslParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N,
                             n_bn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E,
                             e_bn.get()) != 1) {
    return OpenSslError("out of memory");
  }
  absl::StatusOr<EvpPkeyPtr> pkey = KeyFromParams("RSA", builder.get());
  if (!pkey.ok()) return FieldError(index, "", "not a valid RSA public key");
  return pkey;
}

absl::StatusOr<EvpPkeyPtr> P256Key(const json& key, size_t index) {
  std::string x, y;
  if (absl::Status s = RequiredBytes(key, index, "x", x); !s.ok()) return s;
  if (absl::Status s = RequiredBytes(key, index, "y", y); !s.ok()) return s;
  if (x.size() != kP256CoordinateBytes) {
    return FieldError(index, "x", "must be 32 bytes of base64url");
  }
  if (y.size() != kP256CoordinateBytes) {
    return FieldError(index, "y", "must be 32 bytes of base64url");
  }
  // The uncompressed point encoding of SEC 1: 0x04 || x || y.
  std::string point = absl::StrCat("\x04", x, y);
  OsslParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1) {
    return OpenSslError("out of memory");
  }
  absl::StatusOr<EvpPkeyPtr> pkey = KeyFromParams("EC", builder.get());
  if (!pkey.ok()) return FieldError(index, "", "not a point on P-256");
  return pkey;
}

}  // namespace

absl::string_view JwsAlgorithmName(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kRs256:
      return "RS256";
    case JwsAlgorithm::kEs256:
      return "ES256";
  }
  return "";
}

std::optional<JwsAlgorithm> ParseJwsAlgorithm(absl::string_view name) {
  if (name == "RS256") return JwsAlgorithm::kRs256;
  if (name == "ES256") return JwsAlgorithm::kEs256;
  return std::nullopt;
}

bool Base64UrlDecode(absl::string_view in, std::string* out) {
  out->clear();
  if (in.size() % 4 == 1) return false;
  for (char c : in) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_') {
      return false;
    }
  }
  if (!absl::WebSafeBase64Unescape(in, out)) return false;
  // Unused trailing bits must be zero: re-encoding gives the input back.
  return Base64UrlEncode(*out) == in;
}

std::string Base64UrlEncode(absl::string_view in) {
  return absl::WebSafeBase64Escape(in);
}

void EvpPkeyDeleter::operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }

absl::Status JwksKey::Verify(absl::string_view signing_input,
                             absl::string_view signature) const {
  std::string der;
  if (alg_ == JwsAlgorithm::kEs256) {
    if (signature.size() != 2 * kP256CoordinateBytes) {
      return absl::UnauthenticatedError(absl::StrCat(
          "ES256 signature must be 64 bytes, not ", signature.size()));
    }
    absl::StatusOr<std::string> converted = RawEcdsaToDer(signature);
    if (!converted.ok()) return converted.status();
    der = *std::move(converted);
    signature = der;
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(),
                                             nullptr, pkey_.get()) != 1) {
    return OpenSslError("cannot start signature check");
  }
  int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(),
      reinterpret_cast<const unsigned char*>(signing_input.data()),
      signing_input.size());
  ERR_clear_error();
  if (rc != 1) return absl::UnauthenticatedError("token signature is invalid");
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const JwksKeys>> JwksKeys::Parse(
    absl::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError("JWKS is not valid JSON");
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError("JWKS must be a JSON object");
  }
  auto keys_it = doc.find("keys");
  if (keys_it == doc.end() || !keys_it->is_array()) {
    return absl::InvalidArgumentError("keys: must be an array");
  }
  std::vector<JwksKey> keys;
  std::set<std::string> kids;
  for (size_t i = 0; i < keys_it->size(); ++i) {
    const json& key = (*keys_it)[i];
    if (!key.is_object()) return FieldError(i, "", "must be an object");

    std::string use, kty, crv, alg_name, kid;
    bool has_use = false, has_kty = false, has_crv = false, has_alg = false,
         has_kid = false;
    for (absl::Status s : {OptionalString(key, i, "use", use, has_use),
                           OptionalString(key, i, "kty", kty, has_kty),
                           OptionalString(key, i, "crv", crv, has_crv),
                           OptionalString(key, i, "alg", alg_name, has_alg),
                           OptionalString(key, i, "kid", kid, has_kid)}) {
      if (!s.ok()) return s;
    }
    if (!has_kty) return FieldError(i, "kty", "required");
    if (has_use && use != "sig") continue;  // An encryption key.

    JwsAlgorithm alg;
    if (kty == "RSA") {
      alg = JwsAlgorithm::kRs256;
    } else if (kty == "EC" && has_crv && crv == "P-256") {
      alg = JwsAlgorithm::kEs256;
    } else {
      continue;  // A key type or curve we do not verify with.
    }
    if (has_alg) {
      std::optional<JwsAlgorithm> named = ParseJwsAlgorithm(alg_name);
      if (!named.has_value()) continue;  // E.g. RS384 or PS256.
      if (*named != alg) {
        return FieldError(
            i, "alg",
            absl::StrCat(Quote(alg_name), " does not fit kty ", Quote(kty)));
      }
    }
    if (kid.empty()) return FieldError(i, "kid", "required");
    if (!kids.insert(kid).second) {
      return FieldError(i, "kid", absl::StrCat("duplicate ", Quote(kid)));
    }

    absl::StatusOr<EvpPkeyPtr> pkey =
        alg == JwsAlgorithm::kRs256 ? RsaKey(key, i) : P256Key(key, i);
    if (!pkey.ok()) return pkey.status();
    keys.emplace_back(std::move(kid), alg, *std::move(pkey));
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(
        "keys: no usable signing key (RSA or EC P-256 with a kid)");
  }
  return std::shared_ptr<const JwksKeys>(new JwksKeys(std::move(keys)));
}

const JwksKey* JwksKeys::Find(absl::string_view kid) const {
  for (const JwksKey& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

}  // namespace kommune::gateway
