#include "services/policy/policy_requests.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"
#include "services/policy/domain/content_ids.h"
#include "services/policy/domain/criterion_reading.h"

namespace kommune::policy {
namespace {

constexpr char kPolicyPattern[] =
    "municipalities/{municipality}/policies/{policy}";
constexpr char kParentPattern[] = "municipalities/{municipality}";

}  // namespace

absl::StatusOr<PolicyRef> ParsePolicyName(absl::string_view name,
                                          absl::string_view field,
                                          bool allow_revision) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(name, absl::MaxSplits('@', 1));
  auto segments = ParseResourceName(parts.first, kPolicyPattern, field);
  if (!segments.ok()) return segments.status();
  PolicyRef ref{{(*segments)[0], (*segments)[1]}, 0};
  if (name.find('@') != absl::string_view::npos) {
    if (!allow_revision) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": name a policy, not a revision (no @revision)"));
    }
    ref.revision = ParseRevisionId(parts.second);
    if (ref.revision == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", parts.second, "' is not a revision id"));
    }
  }
  return ref;
}

absl::StatusOr<std::string> ParseParent(absl::string_view parent,
                                        bool allow_wildcard) {
  auto segments =
      ParseResourceName(parent, kParentPattern, "parent", allow_wildcard);
  if (!segments.ok()) return segments.status();
  return (*segments)[0];
}

absl::Status CheckRequestId(absl::string_view request_id) {
  if (request_id.size() > 128) {
    return absl::InvalidArgumentError("request_id: at most 128 characters");
  }
  return ValidateText(request_id, "request_id");
}

v1::Policy WritableFields(const v1::Policy& in) {
  v1::Policy out;
  out.set_display_name(in.display_name());
  // Copy only what is set, so an unset period stays unset (not empty).
  if (in.has_period()) *out.mutable_period() = in.period();
  if (in.has_esdh_case()) *out.mutable_esdh_case() = in.esdh_case();
  if (in.has_kle_class()) *out.mutable_kle_class() = in.kle_class();
  if (in.has_content()) *out.mutable_content() = in.content();
  return out;
}

absl::Status ValidatePolicy(const v1::Policy& policy, absl::string_view field) {
  if (auto s = ValidateText(policy.display_name(),
                            absl::StrCat(field, ".display_name"), true);
      !s.ok()) {
    return s;
  }
  if (policy.display_name().size() > 500) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".display_name: at most 500 bytes"));
  }
  if (auto s =
          ValidateDateRange(policy.period(), absl::StrCat(field, ".period"));
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateEsdhReference(policy.esdh_case(),
                                     absl::StrCat(field, ".esdh_case"));
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateKleClass(policy.kle_class(),
                                absl::StrCat(field, ".kle_class"));
      !s.ok()) {
    return s;
  }
  return ValidateContent(policy.content(), absl::StrCat(field, ".content"));
}

void Prepare(v1::PolicyContent* content) {
  AssignMissingIds(content);
  ProposeReadings(content);
}

void ApplyView(v1::PolicyView view, v1::PolicyView fallback,
               v1::Policy* policy) {
  if (view == v1::POLICY_VIEW_UNSPECIFIED) view = fallback;
  if (view == v1::POLICY_VIEW_BASIC) policy->clear_content();
}

}  // namespace kommune::policy
