#ifndef KOMMUNE_SERVICES_COMMON_TIME_ZONE_H_
#define KOMMUNE_SERVICES_COMMON_TIME_ZONE_H_

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace kommune {

// Europe/Copenhagen, the zone every municipal deadline and "today" is in.
// INTERNAL when tzdata is missing.
absl::StatusOr<absl::TimeZone> CopenhagenZone();

// The day `at` falls on in Copenhagen.
absl::StatusOr<absl::CivilDay> CopenhagenDay(absl::Time at);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_TIME_ZONE_H_
