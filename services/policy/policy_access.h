#ifndef KOMMUNE_SERVICES_POLICY_POLICY_ACCESS_H_
#define KOMMUNE_SERVICES_POLICY_POLICY_ACCESS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kommune/policy/v1/policy.pb.h"
#include "services/common/identity.h"

namespace kommune::policy {

// Adopted and superseded policies are public records (offentlige).
bool IsPublic(v1::PolicyState state);

// Anyone may read a public policy; anything else needs a caller with a role
// in the policy's municipality. UNAUTHENTICATED for anonymous callers,
// PERMISSION_DENIED for callers of another municipality.
absl::Status CheckRead(const Identity& caller,
                       absl::string_view municipality_code,
                       v1::PolicyState state, absl::string_view field);

// What a read that failed with `status` tells the caller: a caller outside
// the municipality learns only that it may not read there, never whether a
// non-public policy of that name exists (NOT_FOUND would tell).
absl::Status HideFromOutsiders(absl::Status status, const Identity& caller,
                               absl::string_view municipality_code,
                               absl::string_view field);

// Writing content needs the editor or admin role in the municipality.
absl::Status CheckEdit(const Identity& caller,
                       absl::string_view municipality_code,
                       absl::string_view field);

// Moving a policy through its lifecycle (hearing, adoption, withdrawal)
// also belongs to the secretary who records political treatment.
absl::Status CheckTransition(const Identity& caller,
                             absl::string_view municipality_code,
                             absl::string_view field);

// The lifecycle: draft -> in_hearing -> adopted -> superseded, and
// draft or in_hearing -> withdrawn. FAILED_PRECONDITION naming the
// policy's state otherwise.
absl::Status CheckTransitionAllowed(v1::PolicyState from, v1::PolicyState to);

// Content may change only before adoption.
absl::Status CheckEditable(v1::PolicyState state);

absl::string_view StateName(v1::PolicyState state);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_POLICY_ACCESS_H_
