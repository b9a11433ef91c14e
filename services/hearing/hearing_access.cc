#include "services/hearing/hearing_access.h"

#include "absl/strings/str_cat.h"

namespace kommune::hearing {

absl::Status CheckManage(const Identity& caller,
                         absl::string_view municipality_code,
                         absl::string_view field) {
  if (caller.anonymous()) {
    return absl::UnauthenticatedError(
        absl::StrCat(field, ": sign in to manage hearings"));
  }
  if (!caller.ActsFor(municipality_code)) {
    return absl::PermissionDeniedError(
        absl::StrCat(field, ": the caller does not act for municipality ",
                     municipality_code));
  }
  if (caller.HasRole(Role::kSecretary) || caller.HasRole(Role::kEditor) ||
      caller.HasRole(Role::kAdmin)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      field, ": managing hearings needs the role secretary, editor or admin"));
}

bool IsInsider(const Identity& caller, absl::string_view municipality_code) {
  return !caller.anonymous() && caller.ActsFor(municipality_code) &&
         !caller.roles.empty();
}

namespace {

absl::Status Outsider(const Identity& caller,
                      absl::string_view municipality_code,
                      absl::string_view field, absl::string_view what) {
  if (caller.anonymous()) {
    return absl::UnauthenticatedError(
        absl::StrCat(field, ": sign in to read ", what));
  }
  return absl::PermissionDeniedError(
      absl::StrCat(field, ": the caller does not act for municipality ",
                   municipality_code, " and may not read ", what));
}

}  // namespace

absl::Status CheckReadHearing(const Identity& caller,
                              absl::string_view municipality_code,
                              const v1::Hearing& hearing,
                              absl::string_view field) {
  if (IsInsider(caller, municipality_code)) return absl::OkStatus();
  v1::HearingState s = hearing.state();
  if (hearing.kind() == v1::HEARING_KIND_PUBLIC &&
      (s == v1::HEARING_STATE_OPEN || s == v1::HEARING_STATE_CLOSED ||
       s == v1::HEARING_STATE_PROCESSED)) {
    return absl::OkStatus();
  }
  return Outsider(caller, municipality_code, field,
                  "a hearing that is not public and open");
}

absl::Status CheckReadResponses(const Identity& caller,
                                absl::string_view municipality_code,
                                const v1::Hearing& hearing, bool after_deadline,
                                absl::string_view field) {
  if (IsInsider(caller, municipality_code)) return absl::OkStatus();
  if (auto s = CheckReadHearing(caller, municipality_code, hearing, field);
      !s.ok()) {
    return s;
  }
  if (after_deadline) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(field,
                   ": responses to a public hearing are published after its "
                   "deadline"));
}

v1::Response RedactForPublic(v1::Response response) {
  v1::Responder* r = response.mutable_responder();
  r->clear_email();
  r->clear_address();
  if (r->anonymous()) {
    // Submit refuses `anonymous` on a party's response; one stored before
    // that does not give the party away either.
    response.clear_party_id();
    r->clear_display_name();
    r->clear_organisation();
    r->clear_represents();
  }
  return response;
}

v1::Hearing RedactHearingForPublic(v1::Hearing hearing) {
  for (v1::Party& p : *hearing.mutable_parties()) p.clear_contact();
  return hearing;
}

absl::Status CheckHearingTransition(v1::HearingState from,
                                    v1::HearingState to) {
  bool ok = false;
  switch (to) {
    case v1::HEARING_STATE_OPEN:
      ok = from == v1::HEARING_STATE_PLANNED;
      break;
    case v1::HEARING_STATE_CLOSED:
      ok = from == v1::HEARING_STATE_OPEN;
      break;
    case v1::HEARING_STATE_PROCESSED:
      ok = from == v1::HEARING_STATE_CLOSED;
      break;
    case v1::HEARING_STATE_CANCELLED:
      ok = from == v1::HEARING_STATE_PLANNED ||
           from == v1::HEARING_STATE_OPEN || from == v1::HEARING_STATE_CLOSED;
      break;
    default:
      ok = false;
  }
  if (ok) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("state: the hearing is ", HearingStateName(from),
                   " and cannot become ", HearingStateName(to)));
}

absl::string_view HearingStateName(v1::HearingState state) {
  switch (state) {
    case v1::HEARING_STATE_PLANNED:
      return "planned";
    case v1::HEARING_STATE_OPEN:
      return "open";
    case v1::HEARING_STATE_CLOSED:
      return "closed";
    case v1::HEARING_STATE_PROCESSED:
      return "processed";
    case v1::HEARING_STATE_CANCELLED:
      return "cancelled";
    default:
      return "unspecified";
  }
}

}  // namespace kommune::hearing
