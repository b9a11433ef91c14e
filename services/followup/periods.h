#ifndef KOMMUNE_SERVICES_FOLLOWUP_PERIODS_H_
#define KOMMUNE_SERVICES_FOLLOWUP_PERIODS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "kommune/common/v1/types.pb.h"
#include "kommune/followup/v1/indicator.pb.h"

namespace kommune::followup {

// A reporting period (rapporteringsperiode) as days: "2009" is 2009-01-01
// to 2009-12-31, "2009-Q2" 2009-04-01 to 2009-06-30, "2009-05" the month.
struct Period {
  std::string key;  // canonical text, as stored and shown
  absl::CivilDay first_day;
  absl::CivilDay last_day;
  // Position on a running scale of the reporting period (months since year
  // 0 for months, quarters since year 0, years), so trends and "every
  // period" rules can count periods.
  int64_t index = 0;
};

// Parses `text` as a period of the given kind; INVALID_ARGUMENT naming
// `field` when it is not one ("2009-13", "2009-Q2" for a monthly
// indicator, years outside 1900-2200).
absl::StatusOr<Period> ParsePeriod(absl::string_view text,
                                   v1::ReportingPeriod kind,
                                   absl::string_view field = "period");

// The period of the given kind holding `day`.
Period PeriodContaining(absl::CivilDay day, v1::ReportingPeriod kind);

// The period of the given kind with the given index (see Period::index).
Period PeriodAt(int64_t index, v1::ReportingPeriod kind);

// A Date as a CivilDay; INVALID_ARGUMENT naming `field` when it is not a
// real day.
absl::StatusOr<absl::CivilDay> ToCivilDay(const common::v1::Date& date,
                                          absl::string_view field);
common::v1::Date ToDate(absl::CivilDay day);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_PERIODS_H_
