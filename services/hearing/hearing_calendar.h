#ifndef KOMMUNE_SERVICES_HEARING_HEARING_CALENDAR_H_
#define KOMMUNE_SERVICES_HEARING_HEARING_CALENDAR_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kommune/common/v1/types.pb.h"
#include "services/common/time_zone.h"

namespace kommune::hearing {

// Hearing dates are civil dates in Europe/Copenhagen (CopenhagenZone() in
// services/common/time_zone.h, which fails rather than fall back to UTC).

// The first instant after a deadline: midnight at the end of the deadline
// day in Copenhagen (the start of the next day; DST-aware).
absl::StatusOr<absl::Time> DeadlineEnd(const common::v1::Date& deadline);

// True when a response received at `at` is after the deadline.
absl::StatusOr<bool> IsAfterDeadline(const common::v1::Date& deadline,
                                     absl::Time at);

// Whole days from today (in Copenhagen at `now`) to the deadline day: 0 on
// the deadline day itself, negative after it.
absl::StatusOr<int64_t> DaysLeft(const common::v1::Date& deadline,
                                 absl::Time now);

// Today's civil date in Copenhagen.
absl::StatusOr<absl::CivilDay> TodayInCopenhagen(absl::Time now);

// Days in the period, both ends counted (7.8.2018-28.8.2018 is 22 days).
int64_t PeriodDays(const common::v1::Date& first, const common::v1::Date& last);

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_HEARING_CALENDAR_H_
