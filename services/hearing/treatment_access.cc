#include "services/hearing/treatment_access.h"

#include <initializer_list>
#include <string>

#include "absl/strings/str_cat.h"

namespace kommune::hearing {
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

absl::Status CheckTreatmentRead(const Identity& caller,
                                absl::string_view municipality_code,
                                absl::string_view field) {
  return CheckRoles(caller, municipality_code,
                    {Role::kViewer, Role::kEditor, Role::kSecretary,
                     Role::kAnalyst, Role::kIntegration, Role::kAdmin},
                    "read political treatment", field);
}

absl::Status CheckTreatmentWrite(const Identity& caller,
                                 absl::string_view municipality_code,
                                 absl::string_view field) {
  return CheckRoles(caller, municipality_code, {Role::kSecretary, Role::kAdmin},
                    "record political treatment", field);
}

}  // namespace kommune::hearing
