#ifndef KOMMUNE_SERVICES_HEARING_HEARING_ACCESS_H_
#define KOMMUNE_SERVICES_HEARING_HEARING_ACCESS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kommune/hearing/v1/hearing.pb.h"
#include "services/common/identity.h"

namespace kommune::hearing {

// Secretary, editor or admin of the municipality: plan, open, close, cancel
// and process hearings, waive parties, submit on a party's behalf, withdraw
// and handle responses, purge personal data. UNAUTHENTICATED for anonymous
// callers, PERMISSION_DENIED otherwise.
absl::Status CheckManage(const Identity& caller,
                         absl::string_view municipality_code,
                         absl::string_view field);

// Any role in the municipality.
bool IsInsider(const Identity& caller, absl::string_view municipality_code);

// Inside the municipality any role reads any hearing; anyone else (another
// municipality, anonymous) reads a public hearing once it has opened (open,
// closed or processed; a cancelled hearing is internal business).
absl::Status CheckReadHearing(const Identity& caller,
                              absl::string_view municipality_code,
                              const v1::Hearing& hearing,
                              absl::string_view field);

// Responses (and the memo) inside the municipality always; outside only of
// a public hearing after its deadline (`after_deadline`).
absl::Status CheckReadResponses(const Identity& caller,
                                absl::string_view municipality_code,
                                const v1::Hearing& hearing, bool after_deadline,
                                absl::string_view field);

// What a caller outside the municipality sees of a response: never e-mail
// or address; no name, organisation or party when anonymous.
v1::Response RedactForPublic(v1::Response response);

// What a caller outside the municipality sees of a hearing: the invited
// parties without their contact data (e-mail or other; a citizen's is
// personal data).
v1::Hearing RedactHearingForPublic(v1::Hearing hearing);

// planned -> open -> closed -> processed; cancelled from planned, open or
// closed. FAILED_PRECONDITION naming the current state otherwise.
absl::Status CheckHearingTransition(v1::HearingState from, v1::HearingState to);

absl::string_view HearingStateName(v1::HearingState state);

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_HEARING_ACCESS_H_
