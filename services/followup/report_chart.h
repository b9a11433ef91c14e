#ifndef KOMMUNE_SERVICES_FOLLOWUP_REPORT_CHART_H_
#define KOMMUNE_SERVICES_FOLLOWUP_REPORT_CHART_H_

#include <string>

#include "absl/strings/string_view.h"
#include "kommune/followup/v1/report.pb.h"

namespace kommune::followup {

// The chart's text alternative: every value plotted, the target, the
// forecast and the status, in Danish words (the chart's <desc>).
std::string ChartDescription(const v1::IndicatorSection& section);

// An inline SVG line chart of one indicator for an HTML page: the target
// group's values (solid line, round points; running totals for summed
// counts), the reference group's (dashed, square points), the target as a
// horizontal line, the deadline as a vertical line, the forecast at the
// deadline, axes with periods and Danish numbers, and a legend. role="img"
// with <title> and <desc>, whose ids start with `id` (unique per page).
// Empty when there is nothing to chart (no values, milestones, qualitative
// indicators). Deterministic; no external references.
std::string RenderIndicatorChart(const v1::IndicatorSection& section,
                                 absl::string_view id);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_REPORT_CHART_H_
