#ifndef KOMMUNE_SERVICES_FOLLOWUP_REPORT_MARKDOWN_H_
#define KOMMUNE_SERVICES_FOLLOWUP_REPORT_MARKDOWN_H_

#include <string>

#include "kommune/followup/v1/report.pb.h"

namespace kommune::followup {

// The follow-up report as Markdown (UTF-8, Danish): a table of status
// counts, then per focus area each success criterion with its indicators
// (latest value, target, trend, forecast and status in words, and the
// values as a table). All text from the report is escaped.
std::string RenderReportMarkdown(const v1::FollowUpReport& report);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_REPORT_MARKDOWN_H_
