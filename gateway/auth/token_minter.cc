#include "gateway/auth/token_minter.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/auth/openssl_util.h"

namespace kommune::gateway {
namespace {

using json = nlohmann::json;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;

constexpr int kRsaBits = 2048;
constexpr size_t kP256CoordinateBytes = 32;

// A big-endian parameter of the key, left-padded to `width` bytes (0: none).
std::string BnParam(EVP_PKEY* pkey, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return "";
  BignumPtr bn(raw);
  int size = width > 0 ? width : BN_num_bytes(bn.get());
  std::string out(static_cast<size_t>(size), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                   size) != size) {
    return "";
  }
  return out;
}

absl::Status CheckKeyFits(EVP_PKEY* pkey, JwsAlgorithm alg) {
  if (alg == JwsAlgorithm::kRs256) {
    if (!EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_get_bits(pkey) < kRsaBits) {
      return absl::InvalidArgumentError(
          "RS256 needs an RSA key of at least 2048 bits");
    }
    return absl::OkStatus();
  }
  char group[64] = "";
  if (!EVP_PKEY_is_a(pkey, "EC") ||
      EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                     sizeof(group), nullptr) != 1 ||
      absl::string_view(group) != "prime256v1") {
    ERR_clear_error();
    return absl::InvalidArgumentError("ES256 needs an EC P-256 key");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TokenMinter> TokenMinter::Create(Algorithm alg,
                                                std::string kid) {
  EVP_PKEY* raw = alg == Algorithm::kRs256
                      ? EVP_RSA_gen(static_cast<unsigned int>(kRsaBits))
                      : EVP_EC_gen("P-256");
  if (raw == nullptr) return OpenSslError("cannot generate a key");
  return TokenMinter(alg, std::move(kid), EvpPkeyPtr(raw));
}

absl::StatusOr<TokenMinter> TokenMinter::FromPrivateKeyPem(
    absl::string_view pem, Algorithm alg, std::string kid) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OpenSslError("out of memory");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr,
                                          const_cast<char*>(""));
  if (raw == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM private key");
  }
  EvpPkeyPtr pkey(raw);
  if (absl::Status s = CheckKeyFits(pkey.get(), alg); !s.ok()) return s;
  return TokenMinter(alg, std::move(kid), std::move(pkey));
}

json TokenMinter::Jwk() const {
  json jwk = {{"kid", kid_},
              {"use", "sig"},
              {"alg", std::string(JwsAlgorithmName(alg_))}};
  if (alg_ == Algorithm::kRs256) {
    jwk["kty"] = "RSA";
    jwk["n"] = Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_N, 0));
    jwk["e"] = Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_E, 0));
  } else {
    int width = static_cast<int>(kP256CoordinateBytes);
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] =
        Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, width));
    jwk["y"] =
        Base64UrlEncode(BnParam(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width));
  }
  return jwk;
}

std::string TokenMinter::JwksJson() const {
  return json{{"keys", json::array({Jwk()})}}.dump(2) + "\n";
}

std::string TokenMinter::PrivateKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0,
                               nullptr, nullptr) != 1) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<std::string> TokenMinter::Sign(
    absl::string_view signing_input) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         pkey_.get()) != 1 ||
      EVP_DigestSign(
          ctx.get(), nullptr, &len,
          reinterpret_cast<const unsigned char*>(signing_input.data()),
          signing_input.size()) != 1) {
    return OpenSslError("cannot sign");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(
          ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
          reinterpret_cast<const unsigned char*>(signing_input.data()),
          signing_input.size()) != 1) {
    return OpenSslError("cannot sign");
  }
  signature.resize(len);
  if (alg_ == Algorithm::kEs256) {
    return DerEcdsaToRaw(signature, kP256CoordinateBytes);
  }
  return signature;
}

absl::StatusOr<std::string> TokenMinter::Mint(const json& claims,
                                              const json& extra_header) const {
  if (!claims.is_object()) {
    return absl::InvalidArgumentError("claims must be a JSON object");
  }
  if (!extra_header.is_null() && !extra_header.is_object()) {
    return absl::InvalidArgumentError("extra_header must be a JSON object");
  }
  json header = {{"alg", std::string(JwsAlgorithmName(alg_))},
                 {"kid", kid_},
                 {"typ", "JWT"}};
  if (extra_header.is_object()) header.update(extra_header);
  std::string signing_input;
  try {
    signing_input = absl::StrCat(Base64UrlEncode(header.dump()), ".",
                                 Base64UrlEncode(claims.dump()));
  } catch (const json::exception& e) {  // Invalid UTF-8 in a string.
    return absl::InvalidArgumentError(e.what());
  }
  absl::StatusOr<std::string> signature = Sign(signing_input);
  if (!signature.ok()) return signature.status();
  return absl::StrCat(signing_input, ".", Base64UrlEncode(*signature));
}

}  // namespace kommune::gateway
