#ifndef KOMMUNE_SERVICES_FOLLOWUP_REPORT_TEXT_H_
#define KOMMUNE_SERVICES_FOLLOWUP_REPORT_TEXT_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kommune/common/v1/types.pb.h"
#include "kommune/followup/v1/indicator.pb.h"
#include "kommune/followup/v1/report.pb.h"
#include "services/common/text_escape.h"

// The Danish words and number formats the rendered follow-up reports share
// (Markdown, HTML and the SVG charts say the same things the same way).
// In their own namespace so that names such as StatusWord cannot clash with
// other parts of the follow-up service.
namespace kommune::followup::report {

// The statuses in the order reports show them, best first.
inline constexpr std::array<v1::Status, 6> kStatusOrder = {
    v1::STATUS_ACHIEVED,  v1::STATUS_ON_TRACK, v1::STATUS_AT_RISK,
    v1::STATUS_OFF_TRACK, v1::STATUS_MISSED,   v1::STATUS_NO_DATA};

// "1.234,5": Danish grouping and decimal comma, at most two decimals,
// trailing zeros dropped, a real minus sign.
std::string FormatNumber(double value);
// A number with its unit: "52,5 %", "12 iværksættere", "3".
std::string FormatValue(double value, absl::string_view unit);
// "31.12.2010"; empty for an unset date.
std::string FormatDate(const common::v1::Date& date);
// "31. december 2010"; empty for an unset date.
std::string FormatLongDate(const common::v1::Date& date);
// "2009", "2. kvartal 2009", "maj 2009" from a period key.
std::string PeriodLabel(absl::string_view key);
// Shorter, for chart axes: "2009", "K2 2009", "maj 09".
std::string ShortPeriodLabel(absl::string_view key);

// "opfyldt", "på vej", "i risiko", "ikke på vej", "ikke opfyldt", "ingen
// data" (unset counts as no data).
absl::string_view StatusWord(v1::Status status);
// The word capitalised, for headings and table headers.
absl::string_view StatusHeading(v1::Status status);
// A symbol with its own shape per status, so status never rests on colour.
absl::string_view StatusSymbol(v1::Status status);
// "bedre", "stabil", "dårligere", "for få målinger".
absl::string_view TrendWord(v1::Trend trend);
// "Resultatmål" or "Aktivitetsmål".
absl::string_view MeasureTypeWord(v1::MeasureType type);

// How many of the group have `status` (unset is never counted).
int CountOf(const v1::StatusCounts& counts, v1::Status status);

// The report's title: its display name, or "Årlig redegørelse <year>".
std::string ReportTitle(const v1::FollowUpReport& report);

// What the indicator should reach, in words: "mindst 60 % senest
// 31.12.2010", "på niveau med sammenligningsgruppen (± 2 procentpoint)".
std::string TargetText(const v1::Indicator& indicator,
                       const v1::IndicatorStatus& status);
// The latest value in words: "52,5 % (2009)", for parity with the
// reference group's value; "ingen målinger" without one.
std::string LatestText(const v1::Indicator& indicator,
                       const v1::IndicatorStatus& status);
// "58 % ved fristen" or "ingen prognose".
std::string ForecastText(const v1::Indicator& indicator,
                         const v1::IndicatorStatus& status);

// Whether a chart of values says anything: not for milestones (done or
// not) and qualitative indicators (assessed, not measured).
bool IsCharted(const v1::Indicator& indicator);
// The horizontal line a chart draws, when the kind has a fixed one.
bool HasTargetLine(const v1::Indicator& indicator,
                   const v1::IndicatorStatus& status, double* value);
// Whether values are the period's own amounts that add up to the target.
bool IsSummed(const v1::Indicator& indicator);

// One period of an indicator's values, both groups side by side, as the
// data tables and charts show them.
struct PeriodRow {
  std::string period;
  std::optional<double> target;
  std::optional<double> reference;
  // For summed counts: the target group's running total, which is what
  // meets the target.
  std::optional<double> total;
};
// The section's points as rows, oldest first (the points' order).
std::vector<PeriodRow> PeriodRows(const v1::IndicatorSection& section);

}  // namespace kommune::followup::report

#endif  // KOMMUNE_SERVICES_FOLLOWUP_REPORT_TEXT_H_
