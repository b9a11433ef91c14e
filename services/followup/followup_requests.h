#ifndef KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_REQUESTS_H_
#define KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_REQUESTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/identity.h"

namespace kommune::followup {

// A name inside a municipality: {municipality code, id}.
struct LocalName {
  std::string municipality;
  std::string id;
};

// "municipalities/{m}" -> the code; INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> ParseParent(absl::string_view parent,
                                        absl::string_view field);
absl::StatusOr<LocalName> ParseIndicatorName(absl::string_view name,
                                             absl::string_view field);
absl::StatusOr<LocalName> ParseRoundName(absl::string_view name,
                                         absl::string_view field);
absl::StatusOr<LocalName> ParseReportName(absl::string_view name,
                                          absl::string_view field);
// "municipalities/{m}/policies/{p}" (no revision): the municipality code.
absl::StatusOr<std::string> ParsePolicyName(absl::string_view name,
                                            absl::string_view field);
// "catalogueIndicators/{id}": the id.
absl::StatusOr<std::string> ParseCatalogueName(absl::string_view name,
                                               absl::string_view field);

// Analyst or admin of the municipality: indicators, measurements, rounds
// and reports. UNAUTHENTICATED for anonymous callers.
absl::Status CheckAnalyst(const Identity& caller,
                          absl::string_view municipality,
                          absl::string_view field);
// Any role in the municipality: reading its follow-up.
absl::Status CheckInsider(const Identity& caller,
                          absl::string_view municipality,
                          absl::string_view field);
// Admin of any municipality: the shared catalogue.
absl::Status CheckCatalogueAdmin(const Identity& caller,
                                 absl::string_view field);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_REQUESTS_H_
