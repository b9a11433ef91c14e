#include "services/hearing/hearing_calendar.h"

#include "services/common/validation.h"

namespace kommune::hearing {

absl::StatusOr<absl::Time> DeadlineEnd(const common::v1::Date& deadline) {
  auto tz = CopenhagenZone();
  if (!tz.ok()) return tz.status();
  return absl::FromCivil(ToCivilDay(deadline) + 1, *tz);
}

absl::StatusOr<bool> IsAfterDeadline(const common::v1::Date& deadline,
                                     absl::Time at) {
  auto end = DeadlineEnd(deadline);
  if (!end.ok()) return end.status();
  return at >= *end;
}

absl::StatusOr<absl::CivilDay> TodayInCopenhagen(absl::Time now) {
  auto tz = CopenhagenZone();
  if (!tz.ok()) return tz.status();
  return absl::ToCivilDay(now, *tz);
}

absl::StatusOr<int64_t> DaysLeft(const common::v1::Date& deadline,
                                 absl::Time now) {
  auto today = TodayInCopenhagen(now);
  if (!today.ok()) return today.status();
  return ToCivilDay(deadline) - *today;
}

int64_t PeriodDays(const common::v1::Date& first,
                   const common::v1::Date& last) {
  return ToCivilDay(last) - ToCivilDay(first) + 1;
}

}  // namespace kommune::hearing
