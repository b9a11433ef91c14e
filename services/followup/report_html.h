#ifndef KOMMUNE_SERVICES_FOLLOWUP_REPORT_HTML_H_
#define KOMMUNE_SERVICES_FOLLOWUP_REPORT_HTML_H_

#include <string>

#include "kommune/followup/v1/report.pb.h"

namespace kommune::followup {

// The follow-up report as one self-contained HTML5 page (lang="da", inline
// CSS, no scripts or external resources) that also prints well: a table of
// status counts, then per focus area each success criterion with its
// indicators, each with its numbers, an accessible SVG chart and its data
// table. Status is shown as a word and a symbol besides colour. All text is
// escaped; the output depends on the report only.
std::string RenderReportHtml(const v1::FollowUpReport& report);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_REPORT_HTML_H_
