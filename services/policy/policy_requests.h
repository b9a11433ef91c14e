#ifndef KOMMUNE_SERVICES_POLICY_POLICY_REQUESTS_H_
#define KOMMUNE_SERVICES_POLICY_POLICY_REQUESTS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kommune/policy/v1/policy_service.pb.h"
#include "services/policy/policy_store.h"

namespace kommune::policy {

// A policy name as a request gives it, possibly at a revision.
struct PolicyRef {
  PolicyKey key;
  int64_t revision = 0;  // 0: the current revision
};

// name or name@revision_id; INVALID_ARGUMENT naming `field`.
absl::StatusOr<PolicyRef> ParsePolicyName(absl::string_view name,
                                          absl::string_view field,
                                          bool allow_revision);

// municipalities/{municipality} (or "-" when allowed) -> the code.
absl::StatusOr<std::string> ParseParent(absl::string_view parent,
                                        bool allow_wildcard);

absl::Status CheckRequestId(absl::string_view request_id);

// The writable fields of a policy (everything else is output only).
v1::Policy WritableFields(const v1::Policy& in);

// Every check of a policy's writable fields, errors under `field`.
absl::Status ValidatePolicy(const v1::Policy& policy, absl::string_view field);

// Makes content ready to store: ids for new elements (before validation,
// which requires them) and a proposed measurable reading for each success
// criterion.
void Prepare(v1::PolicyContent* content);

// Clears the content for the BASIC view.
void ApplyView(v1::PolicyView view, v1::PolicyView fallback,
               v1::Policy* policy);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_POLICY_REQUESTS_H_
