#ifndef KOMMUNE_SERVICES_FOLLOWUP_REPORT_BUILDER_H_
#define KOMMUNE_SERVICES_FOLLOWUP_REPORT_BUILDER_H_

#include <vector>

#include "absl/time/civil_time.h"
#include "kommune/followup/v1/indicator.pb.h"
#include "kommune/followup/v1/report.pb.h"
#include "kommune/policy/v1/policy.pb.h"
#include "services/followup/measurement_point.h"

namespace kommune::followup {

// One indicator of a policy with its status on the report's day and its
// current values (any order; the builder sorts and cuts them).
struct IndicatorData {
  v1::Indicator indicator;
  v1::IndicatorStatus status;
  std::vector<MeasurementPoint> points;
};

// The title of the final section for indicators whose success criteria are
// no longer in the policy.
inline constexpr char kOtherIndicatorsTitle[] = "Øvrige indikatorer";

// The follow-up report (årlig redegørelse) of `policy` on `as_of`:
// - one FocusAreaSection per focus area with indicators, in the policy's
//   order (ListCriteria), holding one CriterionSection per criterion with
//   indicators, in the policy's order;
// - inside, outcome indicators first, then the rest, each group by display
//   name (then resource name, so the order is total);
// - an indicator measuring several criteria appears under each;
// - indicators none of whose criteria are in the policy any more come last,
//   in a section titled kOtherIndicatorsTitle with an empty focus_area_id,
//   one CriterionSection per criterion they name (its text as stored);
// - counts per focus area and totals count each indicator once (an unset
//   status counts as no data, so the counts add up to total);
// - points are the target and reference group values of periods that began
//   on or before as_of, oldest first, target group before reference group.
// policy_name, policy_title and as_of are filled; name, display_name and
// state are left for the caller.
v1::FollowUpReport BuildFollowUpReport(
    const policy::v1::Policy& policy,
    const std::vector<IndicatorData>& indicators, absl::CivilDay as_of);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_REPORT_BUILDER_H_
