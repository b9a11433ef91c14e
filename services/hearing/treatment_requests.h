#ifndef KOMMUNE_SERVICES_HEARING_TREATMENT_REQUESTS_H_
#define KOMMUNE_SERVICES_HEARING_TREATMENT_REQUESTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/hearing/treatment_store.h"

namespace kommune::hearing {

// Names in TreatmentService requests. Each returns INVALID_ARGUMENT naming
// `field` when the name does not match.

// "municipalities/{code}" -> the code.
absl::StatusOr<std::string> ParseTreatmentParent(absl::string_view parent,
                                                 absl::string_view field);
// "municipalities/{code}/processTemplates/{id}".
absl::StatusOr<TreatmentKey> ParseTemplateName(absl::string_view name,
                                               absl::string_view field);
// "municipalities/{code}/treatmentCases/{id}".
absl::StatusOr<TreatmentKey> ParseCaseName(absl::string_view name,
                                           absl::string_view field);
// "municipalities/{code}/policies/{id}" (no @revision) -> the code.
absl::StatusOr<std::string> ParsePolicyMunicipality(absl::string_view name,
                                                    absl::string_view field);

// At most 128 characters of valid text; empty means no retry protection.
absl::Status CheckTreatmentRequestId(absl::string_view request_id);

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_TREATMENT_REQUESTS_H_
