// devtoken: the identity provider of local development. On first use it
// makes an ES256 signing key (kid "dev-1") in --key_dir, with the matching
// jwks.json for the gateway's jwt.jwks_file; then, and on every later use,
// it prints a signed token to stdout:
//
//   TOKEN=$(devtoken --key_dir=.dev-keys --roles=editor,viewer)
//   curl -H "Authorization: Bearer $TOKEN" ...
//
// Never point a production gateway at these keys.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gateway/auth/jwt_verifier.h"
#include "gateway/auth/token_minter.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, key_dir, "",
          "Folder with signing-key.pem and jwks.json; both are made on first "
          "use. Required.");
ABSL_FLAG(std::string, issuer, "https://devtoken.kommune.local",
          "The token's \"iss\"; the gateway's jwt.issuer must match.");
ABSL_FLAG(std::string, audience, "kommune-gateway",
          "The token's \"aud\"; the gateway's jwt.audience must match.");
ABSL_FLAG(std::string, subject, "developer", "The token's \"sub\".");
ABSL_FLAG(std::vector<std::string>, municipalities, {"101"},
          "Comma-separated municipality codes the caller acts for.");
ABSL_FLAG(std::vector<std::string>, roles, {"viewer"},
          "Comma-separated roles: viewer, editor, secretary, analyst, "
          "integration, admin.");
ABSL_FLAG(absl::Duration, ttl, absl::Hours(12),
          "How long the token is valid, e.g. 30m or 12h.");

namespace kommune::gateway {
namespace {

constexpr char kKid[] = "dev-1";
constexpr JwsAlgorithm kAlgorithm = JwsAlgorithm::kEs256;

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Writes a new file with `mode`; ALREADY_EXISTS if it is there.
absl::Status WriteNewFile(const std::string& path, const std::string& content,
                          mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    std::string message =
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno));
    return errno == EEXIST ? absl::AlreadyExistsError(message)
                           : absl::UnavailableError(message);
  }
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string message =
          absl::StrCat("cannot write ", path, ": ", std::strerror(errno));
      close(fd);
      return absl::UnavailableError(message);
    }
    written += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Replaces a file atomically, so a gateway reloading it never sees half.
absl::Status ReplaceFile(const std::string& path, const std::string& content) {
  std::string temp = path + ".tmp";
  std::remove(temp.c_str());
  if (absl::Status s = WriteNewFile(temp, content, 0644); !s.ok()) return s;
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot rename ", temp, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// The signing key of `dir`, made (with its JWKS) when there is none.
absl::StatusOr<TokenMinter> LoadOrCreateKey(const std::string& dir) {
  std::error_code error;
  if (std::filesystem::create_directories(dir, error)) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, error);
  } else if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", dir, ": ", error.message()));
  }
  const std::string key_path = dir + "/signing-key.pem";
  const std::string jwks_path = dir + "/jwks.json";

  absl::StatusOr<std::string> pem = ReadWholeFile(key_path);
  absl::StatusOr<TokenMinter> minter = absl::UnknownError("");
  if (pem.ok()) {
    minter = TokenMinter::FromPrivateKeyPem(*pem, kAlgorithm, kKid);
    if (!minter.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key_path, ": ", minter.status().message(),
                       " (delete the folder to start over with a new key)"));
    }
  } else {
    minter = TokenMinter::Create(kAlgorithm, kKid);
    if (!minter.ok()) return minter.status();
    // Owner-only: whoever reads this key can sign in as anyone.
    if (absl::Status s = WriteNewFile(key_path, minter->PrivateKeyPem(), 0600);
        !s.ok()) {
      return s;
    }
    std::fprintf(stderr, "devtoken: created %s\n", key_path.c_str());
  }

  // Keep jwks.json in step with the key.
  const std::string jwks = minter->JwksJson();
  absl::StatusOr<std::string> current = ReadWholeFile(jwks_path);
  if (!current.ok() || *current != jwks) {
    if (absl::Status s = ReplaceFile(jwks_path, jwks); !s.ok()) return s;
    std::fprintf(stderr, "devtoken: wrote %s\n", jwks_path.c_str());
  }
  return minter;
}

int Main() {
  const std::string key_dir = absl::GetFlag(FLAGS_key_dir);
  const absl::Duration ttl = absl::GetFlag(FLAGS_ttl);
  if (key_dir.empty()) {
    std::fprintf(stderr, "devtoken: --key_dir is required\n");
    return 2;
  }
  if (ttl <= absl::ZeroDuration()) {
    std::fprintf(stderr, "devtoken: --ttl must be positive\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_subject).empty()) {
    std::fprintf(stderr, "devtoken: --subject must not be empty\n");
    return 2;
  }
  absl::StatusOr<TokenMinter> minter = LoadOrCreateKey(key_dir);
  if (!minter.ok()) {
    std::fprintf(stderr, "devtoken: %s\n",
                 std::string(minter.status().message()).c_str());
    return 1;
  }

  const absl::Time now = absl::Now();
  const JwtRules names;  // The gateway's default claim names.
  nlohmann::json claims = {
      {"iss", absl::GetFlag(FLAGS_issuer)},
      {"aud", absl::GetFlag(FLAGS_audience)},
      {"sub", absl::GetFlag(FLAGS_subject)},
      {"iat", absl::ToUnixSeconds(now)},
      {"exp", absl::ToUnixSeconds(now + ttl)},
      {names.municipalities_claim, absl::GetFlag(FLAGS_municipalities)},
      {names.roles_claim, absl::GetFlag(FLAGS_roles)},
  };
  absl::StatusOr<std::string> token = minter->Mint(claims);
  if (!token.ok()) {
    std::fprintf(stderr, "devtoken: %s\n",
                 std::string(token.status().message()).c_str());
    return 1;
  }
  std::printf("%s\n", token->c_str());
  return 0;
}

}  // namespace
}  // namespace kommune::gateway

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Prints a JWT signed with a local development key.\n"
      "Usage: devtoken --key_dir=DIR [--issuer=..] [--audience=..] "
      "[--subject=..] [--municipalities=101,185] [--roles=editor,viewer] "
      "[--ttl=12h]");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    std::fprintf(stderr, "devtoken: unexpected argument %s\n", rest[1]);
    return 2;
  }
  return kommune::gateway::Main();
}
