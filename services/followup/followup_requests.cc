#include "services/followup/followup_requests.h"

#include "absl/strings/str_cat.h"
#include "services/common/resource_name.h"

namespace kommune::followup {
namespace {

absl::StatusOr<LocalName> ParseLocal(absl::string_view name,
                                     absl::string_view pattern,
                                     absl::string_view field) {
  auto segments = ParseResourceName(name, pattern, field);
  if (!segments.ok()) return segments.status();
  return LocalName{(*segments)[0], (*segments)[1]};
}

absl::Status SignIn(absl::string_view field, absl::string_view what) {
  return absl::UnauthenticatedError(absl::StrCat(field, ": sign in to ", what));
}

absl::Status NotActingFor(absl::string_view field,
                          absl::string_view municipality) {
  return absl::PermissionDeniedError(absl::StrCat(
      field, ": the caller does not act for municipality ", municipality));
}

}  // namespace

absl::StatusOr<std::string> ParseParent(absl::string_view parent,
                                        absl::string_view field) {
  auto segments =
      ParseResourceName(parent, "municipalities/{municipality}", field);
  if (!segments.ok()) return segments.status();
  return (*segments)[0];
}

absl::StatusOr<LocalName> ParseIndicatorName(absl::string_view name,
                                             absl::string_view field) {
  return ParseLocal(
      name, "municipalities/{municipality}/indicators/{indicator}", field);
}

absl::StatusOr<LocalName> ParseRoundName(absl::string_view name,
                                         absl::string_view field) {
  return ParseLocal(
      name, "municipalities/{municipality}/reportingRounds/{round}", field);
}

absl::StatusOr<LocalName> ParseReportName(absl::string_view name,
                                          absl::string_view field) {
  return ParseLocal(
      name, "municipalities/{municipality}/followUpReports/{report}", field);
}

absl::StatusOr<std::string> ParsePolicyName(absl::string_view name,
                                            absl::string_view field) {
  auto segments = ParseResourceName(
      name, "municipalities/{municipality}/policies/{policy}", field);
  if (!segments.ok()) return segments.status();
  return (*segments)[0];
}

absl::StatusOr<std::string> ParseCatalogueName(absl::string_view name,
                                               absl::string_view field) {
  auto segments =
      ParseResourceName(name, "catalogueIndicators/{indicator}", field);
  if (!segments.ok()) return segments.status();
  return (*segments)[0];
}

absl::Status CheckAnalyst(const Identity& caller,
                          absl::string_view municipality,
                          absl::string_view field) {
  if (caller.anonymous()) return SignIn(field, "manage follow-up");
  if (!caller.ActsFor(municipality)) return NotActingFor(field, municipality);
  if (caller.HasRole(Role::kAnalyst) || caller.HasRole(Role::kAdmin)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      field, ": indicators and measurements need the role analyst or admin"));
}

absl::Status CheckInsider(const Identity& caller,
                          absl::string_view municipality,
                          absl::string_view field) {
  if (caller.anonymous()) return SignIn(field, "read follow-up");
  if (!caller.ActsFor(municipality) || caller.roles.empty()) {
    return NotActingFor(field, municipality);
  }
  return absl::OkStatus();
}

absl::Status CheckCatalogueAdmin(const Identity& caller,
                                 absl::string_view field) {
  if (caller.anonymous()) return SignIn(field, "change the catalogue");
  if (caller.HasRole(Role::kAdmin)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(field, ": the shared catalogue needs the role admin"));
}

}  // namespace kommune::followup
