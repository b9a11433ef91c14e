#include "services/common/identity.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/municipalities.h"
#include "services/common/validation.h"

namespace kommune {
namespace {

constexpr std::pair<Role, absl::string_view> kRoleNames[] = {
    {Role::kViewer, "viewer"},           {Role::kEditor, "editor"},
    {Role::kSecretary, "secretary"},     {Role::kAnalyst, "analyst"},
    {Role::kIntegration, "integration"}, {Role::kAdmin, "admin"},
};

// The signed text names its version so that the format can change later
// without an old signature validating under a new reading.
std::string SigningText(absl::string_view municipalities,
                        absl::string_view roles, absl::string_view subject,
                        absl::string_view time) {
  return absl::StrCat("kommune-identity-v1\n", municipalities, "\n", roles,
                      "\n", subject, "\n", time);
}

std::string Sign(absl::string_view secret, absl::string_view text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac,
       &len);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), len));
}

}  // namespace

absl::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

bool Identity::HasRole(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Identity::ActsFor(absl::string_view municipality_code) const {
  return std::find(municipality_codes.begin(), municipality_codes.end(),
                   municipality_code) != municipality_codes.end();
}

std::map<std::string, std::string> IdentityHeaders(const Identity& identity,
                                                   absl::string_view secret,
                                                   absl::Time now) {
  std::vector<absl::string_view> role_names;
  for (Role role : identity.roles) role_names.push_back(RoleName(role));
  std::map<std::string, std::string> headers = {
      {kMunicipalitiesHeader, absl::StrJoin(identity.municipality_codes, ",")},
      {kRolesHeader, absl::StrJoin(role_names, ",")},
      {kSubjectHeader, identity.subject},
  };
  if (!secret.empty()) {
    std::string time = absl::StrCat(absl::ToUnixSeconds(now));
    headers[kIdentityTimeHeader] = time;
    headers[kIdentitySignatureHeader] = Sign(
        secret, SigningText(headers[kMunicipalitiesHeader],
                            headers[kRolesHeader], identity.subject, time));
  }
  return headers;
}

absl::StatusOr<Identity> IdentityVerifier::Verify(const HeaderLookup& header,
                                                  absl::Time now) const {
  std::optional<std::string> municipalities = header(kMunicipalitiesHeader);
  std::optional<std::string> roles = header(kRolesHeader);
  std::optional<std::string> subject = header(kSubjectHeader);
  std::optional<std::string> signature = header(kIdentitySignatureHeader);
  std::optional<std::string> time = header(kIdentityTimeHeader);
  if (!municipalities && !roles && !subject && !signature) {
    return Identity{};  // Anonymous: public reads only.
  }
  if (!secret_.empty()) {
    if (!signature || !time) {
      return absl::UnauthenticatedError(
          absl::StrCat(kIdentitySignatureHeader,
                       ": identity metadata must be signed by the gateway"));
    }
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(*time, &seconds) ||
        absl::AbsDuration(now - absl::FromUnixSeconds(seconds)) >
            kIdentityMaxSkew) {
      return absl::UnauthenticatedError(
          absl::StrCat(kIdentityTimeHeader,
                       ": signed identity is missing a time or is "
                       "more than 5 minutes old"));
    }
    std::string expected = Sign(
        secret_, SigningText(municipalities.value_or(""), roles.value_or(""),
                             subject.value_or(""), *time));
    if (signature->size() != expected.size() ||
        CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) !=
            0) {
      return absl::UnauthenticatedError(
          absl::StrCat(kIdentitySignatureHeader, ": signature does not match"));
    }
  }
  Identity identity;
  identity.subject = subject.value_or("");
  if (identity.subject.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat(kSubjectHeader, ": identity without a subject"));
  }
  // The subject is stored as the actor of changes: it must be text.
  if (auto s = ValidateText(identity.subject, kSubjectHeader, true, 256);
      !s.ok()) {
    return s;
  }
  for (absl::string_view code :
       absl::StrSplit(municipalities.value_or(""), ',', absl::SkipEmpty())) {
    if (absl::Status s = ValidateMunicipalityCode(code, kMunicipalitiesHeader);
        !s.ok()) {
      return s;
    }
    identity.municipality_codes.emplace_back(code);
  }
  for (absl::string_view name :
       absl::StrSplit(roles.value_or(""), ',', absl::SkipEmpty())) {
    std::optional<Role> role = ParseRole(name);
    if (!role) {
      return absl::InvalidArgumentError(
          absl::StrCat(kRolesHeader, ": unknown role '", name, "'"));
    }
    identity.roles.push_back(*role);
  }
  return identity;
}

}  // namespace kommune
