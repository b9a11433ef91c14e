#ifndef KOMMUNE_SERVICES_COMMON_IDENTITY_H_
#define KOMMUNE_SERVICES_COMMON_IDENTITY_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kommune {

// Request metadata that carries the caller's identity from the gateway to a
// service. docs/identity.md describes them for integrators.
inline constexpr char kMunicipalitiesHeader[] = "x-kommune-municipalities";
inline constexpr char kRolesHeader[] = "x-kommune-roles";
// A binary (-bin) header: gRPC base64-encodes it on the wire, so subjects
// may hold any UTF-8 (Danish names), which plain ASCII headers cannot.
inline constexpr char kSubjectHeader[] = "x-kommune-subject-bin";
inline constexpr char kIdentityTimeHeader[] = "x-kommune-identity-time";
inline constexpr char kIdentitySignatureHeader[] =
    "x-kommune-identity-signature";

// How far a signed identity's timestamp may be from the service's clock.
inline constexpr absl::Duration kIdentityMaxSkew = absl::Minutes(5);

// The roles of ARCHITECTURE.md; anonymous callers have none.
enum class Role {
  kViewer,
  kEditor,
  kSecretary,
  kAnalyst,
  kIntegration,
  kAdmin
};

absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

// Who is calling: the municipalities they act for, their roles and subject.
// An anonymous caller (public reads, public hearing responses) has none.
struct Identity {
  std::vector<std::string> municipality_codes;
  std::vector<Role> roles;
  std::string subject;

  bool anonymous() const { return subject.empty(); }
  bool HasRole(Role role) const;
  bool ActsFor(absl::string_view municipality_code) const;
};

// Turns the identity into request headers, signed when secret is non-empty.
std::map<std::string, std::string> IdentityHeaders(const Identity& identity,
                                                   absl::string_view secret,
                                                   absl::Time now);

// Reads and checks identity headers. With a secret, identity headers must
// carry a valid, fresh HMAC-SHA256 signature, so only the gateway can speak
// for a caller; requests with no identity headers at all are anonymous. With
// no secret (local development) unsigned headers are trusted.
class IdentityVerifier {
 public:
  using HeaderLookup =
      std::function<std::optional<std::string>(absl::string_view name)>;

  explicit IdentityVerifier(std::string secret) : secret_(std::move(secret)) {}

  bool signing_required() const { return !secret_.empty(); }

  // UNAUTHENTICATED for a missing, forged or stale signature; INVALID_ARGUMENT
  // for an unknown municipality code or role.
  absl::StatusOr<Identity> Verify(const HeaderLookup& header,
                                  absl::Time now) const;

 private:
  std::string secret_;
};

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_IDENTITY_H_
