#include "services/common/time_zone.h"

namespace kommune {

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
        "installed?); deadlines cannot be computed");
  }
  return *zone;
}

absl::StatusOr<absl::CivilDay> CopenhagenDay(absl::Time at) {
  absl::StatusOr<absl::TimeZone> tz = CopenhagenZone();
  if (!tz.ok()) return tz.status();
  return absl::ToCivilDay(at, *tz);
}

}  // namespace kommune
