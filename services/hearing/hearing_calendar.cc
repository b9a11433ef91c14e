#include "services/hearing/hearing_calendar.h"

#include "services/common/validation.h"

namespace kommune::hearing {

absl::StatusOr<absl::TimeZone> CopenhagenZone() {
  static const absl::TimeZone* const zone = [] {
    absl::TimeZone tz;
    if (!absl::LoadTimeZone("Europe/Copenhagen", &tz))
      return (absl::TimeZone*)nullptr;
    return new absl::TimeZone(tz);
  }();
  if (zone == nullptr) {
    return absl::InternalError(
        "the time zone Europe/Copenhagen cannot be loaded (is tzdata "
        "installed?); hearing deadlines cannot be computed");
  }
  return *zone;
}

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
