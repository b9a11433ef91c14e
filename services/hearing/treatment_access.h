#ifndef KOMMUNE_SERVICES_HEARING_TREATMENT_ACCESS_H_
#define KOMMUNE_SERVICES_HEARING_TREATMENT_ACCESS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/identity.h"

namespace kommune::hearing {

// Who may do what with process templates and treatment cases. Neither is a
// public record: reading needs any role in the municipality. Writing (editing
// templates, starting and planning cases, recording decisions) is the
// committee secretary's work (the secretariat minutes the decisions), or an
// admin's; editors write policy content, not political treatment.
// UNAUTHENTICATED for anonymous callers, PERMISSION_DENIED for callers of
// another municipality or without the role. Messages start with `field:`.
absl::Status CheckTreatmentRead(const Identity& caller,
                                absl::string_view municipality_code,
                                absl::string_view field);
absl::Status CheckTreatmentWrite(const Identity& caller,
                                 absl::string_view municipality_code,
                                 absl::string_view field);

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_TREATMENT_ACCESS_H_
