#ifndef KOMMUNE_GATEWAY_AUTH_OPENSSL_UTIL_H_
#define KOMMUNE_GATEWAY_AUTH_OPENSSL_UTIL_H_

// Small helpers shared by the auth library: owning pointers for OpenSSL
// objects and the conversion between JWS and DER ECDSA signatures.

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kommune::gateway {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};

using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;
using EvpMdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX,
                    OpenSslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using OsslParamPtr =
    std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM, OSSL_PARAM_free>>;
using OsslParamBldPtr =
    std::unique_ptr<OSSL_PARAM_BLD,
                    OpenSslDeleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using EcdsaSigPtr =
    std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;

// INTERNAL with `what` and OpenSSL's first queued error. Empties the thread's
// error queue, so that a stale entry cannot confuse a later TLS call.
absl::Status OpenSslError(absl::string_view what);

// JWS ES256 signatures are r||s, 32 bytes each (RFC 7518 section 3.4);
// OpenSSL speaks DER ECDSA-Sig-Value.
absl::StatusOr<std::string> RawEcdsaToDer(absl::string_view raw);
absl::StatusOr<std::string> DerEcdsaToRaw(absl::string_view der,
                                          size_t coordinate_bytes);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_AUTH_OPENSSL_UTIL_H_
