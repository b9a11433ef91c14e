#include "gateway/auth/openssl_util.h"

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace kommune::gateway {

absl::Status OpenSslError(absl::string_view what) {
  unsigned long code = ERR_get_error();
  char reason[256] = "";
  if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
  ERR_clear_error();
  if (code == 0) return absl::InternalError(what);
  return absl::InternalError(absl::StrCat(what, ": ", reason));
}

absl::StatusOr<std::string> RawEcdsaToDer(absl::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return absl::UnauthenticatedError("ECDSA signature has an odd length");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  int half = static_cast<int>(raw.size() / 2);
  BignumPtr r(BN_bin2bn(bytes, half, nullptr));
  BignumPtr s(BN_bin2bn(bytes + half, half, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr ||
      ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OpenSslError("cannot build ECDSA signature");
  }
  r.release();  // Now owned by sig.
  s.release();
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return OpenSslError("cannot encode ECDSA signature");
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) {
    return OpenSslError("cannot encode ECDSA signature");
  }
  return der;
}

absl::StatusOr<std::string> DerEcdsaToRaw(absl::string_view der,
                                          size_t coordinate_bytes) {
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (sig == nullptr) return OpenSslError("cannot decode ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * coordinate_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  int n = static_cast<int>(coordinate_bytes);
  if (BN_bn2binpad(r, out, n) != n || BN_bn2binpad(s, out + n, n) != n) {
    return OpenSslError("ECDSA signature does not fit the curve");
  }
  return raw;
}

}  // namespace kommune::gateway
