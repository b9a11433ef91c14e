#ifndef KOMMUNE_SERVICES_FOLLOWUP_INDICATOR_VALIDATION_H_
#define KOMMUNE_SERVICES_FOLLOWUP_INDICATOR_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kommune/followup/v1/indicator.pb.h"
#include "kommune/followup/v1/report.pb.h"

namespace kommune::followup {

// Checks an indicator's writable fields for `municipality`: required
// fields per kind, finite numbers, shares within 0-100, a deadline not
// before the baseline, criteria in the same municipality. Errors name the
// field under `field` ("indicator.target.deadline").
absl::Status ValidateIndicator(const v1::Indicator& indicator,
                               absl::string_view municipality,
                               absl::string_view field);

// Checks that an opted-in indicator has the catalogue definition's kind,
// unit and reporting period (FAILED_PRECONDITION naming the difference).
absl::Status CheckMatchesCatalogue(const v1::Indicator& indicator,
                                   const v1::CatalogueIndicator& definition,
                                   absl::string_view field);

// Only the fields a caller may write (output-only ones cleared).
v1::Indicator WritableFields(const v1::Indicator& indicator);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_INDICATOR_VALIDATION_H_
