#ifndef KOMMUNE_GATEWAY_AUTH_API_KEYS_H_
#define KOMMUNE_GATEWAY_AUTH_API_KEYS_H_

#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kommune::gateway {

// An API key for a machine client, from the gateway's configuration. The
// secret itself is never stored: only SHA-256 of a random salt followed by
// the secret, so a leaked configuration does not leak working keys.
struct ApiKeyEntry {
  std::string id;          // Names the key in logs and rate limits.
  std::string salt_hex;    // Hex of the salt bytes.
  std::string sha256_hex;  // Hex SHA-256(salt bytes || secret).
  std::vector<std::string> municipalities;
  std::vector<std::string> roles;
  bool revoked = false;
};

// The configured keys, checked against the x-api-key header.
class ApiKeyTable {
 public:
  // INVALID_ARGUMENT naming the entry, e.g. "api_keys[2].sha256: must be 64
  // hex digits", for an empty or duplicate id, an id containing '.', or a
  // salt or hash that is not hex.
  static absl::StatusOr<ApiKeyTable> Build(std::vector<ApiKeyEntry> entries);

  // `presented` is "<id>.<secret>" as sent in the x-api-key header. The
  // entry stays valid as long as the table. UNAUTHENTICATED for a malformed
  // value, an unknown id, a wrong secret (compared in constant time) or a
  // revoked key; the revocation is only told to callers who know the secret.
  absl::StatusOr<const ApiKeyEntry*> Check(absl::string_view presented) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Stored {
    std::string salt;    // Bytes.
    std::string sha256;  // 32 bytes.
  };

  ApiKeyTable() = default;

  std::vector<ApiKeyEntry> entries_;
  std::vector<Stored> stored_;  // Parallel to entries_.
  std::unordered_map<std::string, size_t> index_;
};

// Hex SHA-256(salt_bytes || secret), as stored in ApiKeyEntry::sha256_hex.
std::string HashApiKeySecret(absl::string_view salt_bytes,
                             absl::string_view secret);

// A freshly made key: `presented` goes to the client once, `entry` into the
// configuration.
struct NewApiKey {
  std::string presented;  // "<id>.<secret>"
  ApiKeyEntry entry;
};

// Makes a key with a secret of 32 random bytes (base64url, no padding) and a
// 16-byte random salt. Aborts if the system has no randomness to give.
NewApiKey MakeApiKey(absl::string_view id);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_AUTH_API_KEYS_H_
