#include "gateway/auth/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gateway/auth/jwks.h"

namespace kommune::gateway {
namespace {

constexpr size_t kSha256Bytes = 32;
constexpr size_t kSecretBytes = 32;
constexpr size_t kSaltBytes = 16;
// Far above any key MakeApiKey makes; bounds the work of a bogus header.
constexpr size_t kMaxPresentedBytes = 1024;

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string Sha256(absl::string_view salt, absl::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) &&
            EVP_DigestUpdate(ctx, salt.data(), salt.size()) &&
            EVP_DigestUpdate(ctx, secret.data(), secret.size()) &&
            EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  if (!ok || len != kSha256Bytes) {
    std::fprintf(stderr, "SHA-256 failed\n");
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()),
                 static_cast<int>(n)) != 1) {
    std::fprintf(stderr, "RAND_bytes failed: no randomness for an API key\n");
    std::abort();
  }
  return bytes;
}

std::string Quote(absl::string_view s) {
  return absl::StrCat("\"", absl::CHexEscape(s.substr(0, 64)), "\"");
}

}  // namespace

absl::StatusOr<ApiKeyTable> ApiKeyTable::Build(
    std::vector<ApiKeyEntry> entries) {
  ApiKeyTable table;
  for (size_t i = 0; i < entries.size(); ++i) {
    const ApiKeyEntry& entry = entries[i];
    auto error = [i](absl::string_view field, absl::string_view problem) {
      return absl::InvalidArgumentError(
          absl::StrCat("api_keys[", i, "].", field, ": ", problem));
    };
    if (entry.id.empty()) return error("id", "must not be empty");
    if (entry.id.find('.') != std::string::npos) {
      return error("id", "must not contain '.'");
    }
    if (auto [it, inserted] = table.index_.emplace(entry.id, i); !inserted) {
      return error("id", absl::StrCat("duplicate ", Quote(entry.id),
                                      " (also api_keys[", it->second, "])"));
    }
    if (entry.salt_hex.empty()) return error("salt", "must not be empty");
    if (entry.salt_hex.size() % 2 != 0 || !IsHex(entry.salt_hex)) {
      return error("salt", "must be hex digits (an even number of them)");
    }
    if (entry.sha256_hex.size() != 2 * kSha256Bytes ||
        !IsHex(entry.sha256_hex)) {
      return error("sha256", "must be 64 hex digits");
    }
    table.stored_.push_back({absl::HexStringToBytes(entry.salt_hex),
                             absl::HexStringToBytes(entry.sha256_hex)});
  }
  table.entries_ = std::move(entries);
  return table;
}

absl::StatusOr<const ApiKeyEntry*> ApiKeyTable::Check(
    absl::string_view presented) const {
  size_t dot = presented.find('.');
  if (presented.size() > kMaxPresentedBytes || dot == absl::string_view::npos ||
      dot == 0 || dot + 1 == presented.size()) {
    return absl::UnauthenticatedError(
        "malformed API key (expected \"<id>.<secret>\")");
  }
  absl::string_view id = presented.substr(0, dot);
  absl::string_view secret = presented.substr(dot + 1);
  auto it = index_.find(std::string(id));
  if (it == index_.end()) {
    return absl::UnauthenticatedError(
        absl::StrCat("unknown API key ", Quote(id)));
  }
  const ApiKeyEntry& entry = entries_[it->second];
  const Stored& stored = stored_[it->second];
  std::string digest = Sha256(stored.salt, secret);
  if (CRYPTO_memcmp(digest.data(), stored.sha256.data(), kSha256Bytes) != 0) {
    return absl::UnauthenticatedError(
        absl::StrCat("wrong secret for API key ", Quote(id)));
  }
  if (entry.revoked) {
    return absl::UnauthenticatedError(
        absl::StrCat("API key ", Quote(id), " is revoked"));
  }
  return &entry;
}

std::string HashApiKeySecret(absl::string_view salt_bytes,
                             absl::string_view secret) {
  return absl::BytesToHexString(Sha256(salt_bytes, secret));
}

NewApiKey MakeApiKey(absl::string_view id) {
  std::string salt = RandomBytes(kSaltBytes);
  std::string secret = Base64UrlEncode(RandomBytes(kSecretBytes));
  NewApiKey key;
  key.presented = absl::StrCat(id, ".", secret);
  key.entry.id = std::string(id);
  key.entry.salt_hex = absl::BytesToHexString(salt);
  key.entry.sha256_hex = HashApiKeySecret(salt, secret);
  return key;
}

}  // namespace kommune::gateway
