#include "services/policy/policy_access.h"

#include <initializer_list>

#include "absl/strings/str_cat.h"

namespace kommune::policy {
namespace {

absl::Status CheckRoles(const Identity& caller,
                        absl::string_view municipality_code,
                        std::initializer_list<Role> roles,
                        absl::string_view action, absl::string_view field) {
  if (caller.anonymous()) {
    return absl::UnauthenticatedError(
        absl::StrCat(field, ": sign in to ", action));
  }
  if (!caller.ActsFor(municipality_code)) {
    return absl::PermissionDeniedError(
        absl::StrCat(field, ": the caller does not act for municipality ",
                     municipality_code));
  }
  for (Role role : roles) {
    if (caller.HasRole(role)) return absl::OkStatus();
  }
  std::string names;
  for (Role role : roles) {
    absl::StrAppend(&names, names.empty() ? "" : " or ", RoleName(role));
  }
  return absl::PermissionDeniedError(
      absl::StrCat(field, ": ", action, " needs the role ", names));
}

}  // namespace

bool IsPublic(v1::PolicyState state) {
  return state == v1::POLICY_STATE_ADOPTED ||
         state == v1::POLICY_STATE_SUPERSEDED;
}

absl::Status CheckRead(const Identity& caller,
                       absl::string_view municipality_code,
                       v1::PolicyState state, absl::string_view field) {
  if (IsPublic(state)) return absl::OkStatus();
  return CheckRoles(caller, municipality_code,
                    {Role::kViewer, Role::kEditor, Role::kSecretary,
                     Role::kAnalyst, Role::kIntegration, Role::kAdmin},
                    absl::StrCat("read a policy that is ", StateName(state)),
                    field);
}

absl::Status HideFromOutsiders(absl::Status status, const Identity& caller,
                               absl::string_view municipality_code,
                               absl::string_view field) {
  if (!absl::IsNotFound(status)) return status;
  absl::Status outsider =
      CheckRead(caller, municipality_code, v1::POLICY_STATE_DRAFT, field);
  return outsider.ok() ? status : outsider;
}

absl::Status CheckEdit(const Identity& caller,
                       absl::string_view municipality_code,
                       absl::string_view field) {
  return CheckRoles(caller, municipality_code, {Role::kEditor, Role::kAdmin},
                    "change policies", field);
}

absl::Status CheckTransition(const Identity& caller,
                             absl::string_view municipality_code,
                             absl::string_view field) {
  return CheckRoles(caller, municipality_code,
                    {Role::kEditor, Role::kSecretary, Role::kAdmin},
                    "move a policy through hearing and adoption", field);
}

absl::Status CheckTransitionAllowed(v1::PolicyState from, v1::PolicyState to) {
  bool ok = false;
  switch (to) {
    case v1::POLICY_STATE_IN_HEARING:
      ok = from == v1::POLICY_STATE_DRAFT;
      break;
    case v1::POLICY_STATE_ADOPTED:
      ok = from == v1::POLICY_STATE_IN_HEARING;
      break;
    case v1::POLICY_STATE_SUPERSEDED:
      ok = from == v1::POLICY_STATE_ADOPTED;
      break;
    case v1::POLICY_STATE_WITHDRAWN:
      ok =
          from == v1::POLICY_STATE_DRAFT || from == v1::POLICY_STATE_IN_HEARING;
      break;
    default:
      ok = false;
  }
  if (ok) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("state: a policy that is ", StateName(from),
                   " cannot become ", StateName(to)));
}

absl::Status CheckEditable(v1::PolicyState state) {
  if (state == v1::POLICY_STATE_DRAFT || state == v1::POLICY_STATE_IN_HEARING) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "state: the policy is ", StateName(state),
      "; its content no longer changes (revise an adopted policy with "
      "RevisePolicy)"));
}

absl::string_view StateName(v1::PolicyState state) {
  switch (state) {
    case v1::POLICY_STATE_DRAFT:
      return "draft";
    case v1::POLICY_STATE_IN_HEARING:
      return "in hearing";
    case v1::POLICY_STATE_ADOPTED:
      return "adopted";
    case v1::POLICY_STATE_SUPERSEDED:
      return "superseded";
    case v1::POLICY_STATE_WITHDRAWN:
      return "withdrawn";
    default:
      return "unspecified";
  }
}

}  // namespace kommune::policy
