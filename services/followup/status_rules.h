#ifndef KOMMUNE_SERVICES_FOLLOWUP_STATUS_RULES_H_
#define KOMMUNE_SERVICES_FOLLOWUP_STATUS_RULES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/civil_time.h"
#include "kommune/followup/v1/indicator.pb.h"
#include "services/followup/measurement_point.h"

namespace kommune::followup {

// The status rules of the follow-up (opfølgning). docs/followup.md, "Status
// rules", states them per kind of indicator with the reasons for the
// thresholds below; keep the two in step.

// A forecast that falls short of the target but covers at least this share
// of the way still left from the latest value is at risk; less is off track.
// At one half the pace must at most double to make it: a push, not a new
// plan.
inline constexpr double kAtRiskShareOfRemainingWay = 0.5;

// A change smaller than this share of the way from the start (baseline) to
// the target counts as stable: a twentieth of the way is noise in yearly
// municipal figures, not a trend.
inline constexpr double kStableBandShareOfWay = 0.05;

// The indicator's status on `as_of` from its current values (any order,
// both series; points for periods that start after as_of are ignored).
// Fills every field of IndicatorStatus; never produces NaN or infinity.
v1::IndicatorStatus EvaluateStatus(const v1::Indicator& indicator,
                                   const std::vector<MeasurementPoint>& points,
                                   absl::CivilDay as_of);

// One value of a series at a period index (Period::index).
struct SeriesValue {
  int64_t index = 0;
  double value = 0;
};

// The least-squares line through `values` evaluated at `index`; nullopt with
// fewer than two distinct indexes or a result that is not finite.
std::optional<double> LeastSquaresAt(const std::vector<SeriesValue>& values,
                                     int64_t index);

// The direction of the last values (oldest first): the last value against
// the mean of the one or two before it, so one odd value in the middle does
// not flip the trend. A change of at most `band` either way is stable.
v1::Trend TrendOf(const std::vector<double>& values, double band,
                  bool lower_is_better);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_STATUS_RULES_H_
