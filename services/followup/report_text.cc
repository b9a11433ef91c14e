#include "services/followup/report_text.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kommune::followup::report {
namespace {

// Between a number and its unit, so that "60 %" never breaks over a line.
constexpr absl::string_view kNoBreakSpace = "\u00a0";
constexpr absl::string_view kMinus = "\u2212";

constexpr std::array<absl::string_view, 12> kMonths = {
    "januar", "februar", "marts",     "april",   "maj",      "juni",
    "juli",   "august",  "september", "oktober", "november", "december"};
constexpr std::array<absl::string_view, 12> kShortMonths = {
    "jan", "feb", "mar", "apr", "maj", "jun",
    "jul", "aug", "sep", "okt", "nov", "dec"};

// Splits "2009", "2009-Q2" or "2009-05" into the year and the quarter or
// month (0 for a year). False for anything else.
bool SplitPeriod(absl::string_view key, int* year, int* quarter, int* month) {
  *quarter = 0;
  *month = 0;
  if (key.size() < 4 || !absl::SimpleAtoi(key.substr(0, 4), year)) {
    return false;
  }
  if (key.size() == 4) return true;
  if (key.size() == 7 && key[4] == '-' && key[5] == 'Q') {
    return absl::SimpleAtoi(key.substr(6), quarter) && *quarter >= 1 &&
           *quarter <= 4;
  }
  if (key.size() == 7 && key[4] == '-') {
    return absl::SimpleAtoi(key.substr(5), month) && *month >= 1 &&
           *month <= 12;
  }
  return false;
}

bool HasDate(const common::v1::Date& date) { return date.year() != 0; }

std::string Deadline(const v1::Indicator& indicator, absl::string_view word) {
  if (!HasDate(indicator.target().deadline())) return "";
  return absl::StrCat(" ", word, " ",
                      FormatDate(indicator.target().deadline()));
}

// A difference in the indicator's unit; a difference of percentages is in
// percentage points.
std::string FormatDifference(double value, absl::string_view unit) {
  if (unit == "%") return absl::StrCat(FormatNumber(value), " procentpoint");
  return FormatValue(value, unit);
}

double RelativeTarget(const v1::Indicator& indicator,
                      const v1::IndicatorStatus& status) {
  if (status.target_value() != 0) return status.target_value();
  return indicator.baseline().value() *
         (1 + indicator.target().relative_change());
}

absl::string_view PeriodNoun(v1::ReportingPeriod period) {
  switch (period) {
    case v1::REPORTING_PERIOD_MONTH:
      return "måned";
    case v1::REPORTING_PERIOD_QUARTER:
      return "kvartal";
    default:
      return "år";
  }
}

}  // namespace

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "\u2013";
  // Whole hundredths as digits, so grouping works for any magnitude.
  std::string digits =
      absl::StrFormat("%.0f", std::floor(std::fabs(value) * 100 + 0.5));
  if (digits.size() < 3) digits.insert(0, 3 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - 2);
  std::string hundredths = digits.substr(digits.size() - 2);
  std::string out;
  if (value < 0 && digits.find_first_not_of('0') != std::string::npos) {
    out = std::string(kMinus);
  }
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += '.';
    out += whole[i];
  }
  if (hundredths != "00") {
    if (hundredths[1] == '0') hundredths.resize(1);
    absl::StrAppend(&out, ",", hundredths);
  }
  return out;
}

std::string FormatValue(double value, absl::string_view unit) {
  if (unit.empty()) return FormatNumber(value);
  return absl::StrCat(FormatNumber(value), kNoBreakSpace, unit);
}

std::string FormatDate(const common::v1::Date& date) {
  if (!HasDate(date)) return "";
  return absl::StrFormat("%d.%d.%d", date.day(), date.month(), date.year());
}

std::string FormatLongDate(const common::v1::Date& date) {
  if (!HasDate(date) || date.month() < 1 || date.month() > 12) {
    return FormatDate(date);
  }
  return absl::StrFormat("%d. %s %d", date.day(), kMonths[date.month() - 1],
                         date.year());
}

std::string PeriodLabel(absl::string_view key) {
  int year, quarter, month;
  if (!SplitPeriod(key, &year, &quarter, &month)) return std::string(key);
  if (quarter > 0) return absl::StrFormat("%d. kvartal %d", quarter, year);
  if (month > 0) return absl::StrFormat("%s %d", kMonths[month - 1], year);
  return absl::StrCat(year);
}

std::string ShortPeriodLabel(absl::string_view key) {
  int year, quarter, month;
  if (!SplitPeriod(key, &year, &quarter, &month)) return std::string(key);
  if (quarter > 0) return absl::StrFormat("K%d %d", quarter, year);
  if (month > 0) {
    return absl::StrFormat("%s %02d", kShortMonths[month - 1], year % 100);
  }
  return absl::StrCat(year);
}

absl::string_view StatusWord(v1::Status status) {
  switch (status) {
    case v1::STATUS_ACHIEVED:
      return "opfyldt";
    case v1::STATUS_ON_TRACK:
      return "på vej";
    case v1::STATUS_AT_RISK:
      return "i risiko";
    case v1::STATUS_OFF_TRACK:
      return "ikke på vej";
    case v1::STATUS_MISSED:
      return "ikke opfyldt";
    default:
      return "ingen data";
  }
}

absl::string_view StatusHeading(v1::Status status) {
  switch (status) {
    case v1::STATUS_ACHIEVED:
      return "Opfyldt";
    case v1::STATUS_ON_TRACK:
      return "På vej";
    case v1::STATUS_AT_RISK:
      return "I risiko";
    case v1::STATUS_OFF_TRACK:
      return "Ikke på vej";
    case v1::STATUS_MISSED:
      return "Ikke opfyldt";
    default:
      return "Ingen data";
  }
}

absl::string_view StatusSymbol(v1::Status status) {
  // U+FE0E asks for the text form of the warning sign, not an emoji.
  switch (status) {
    case v1::STATUS_ACHIEVED:
      return "\u2714";  // heavy check mark
    case v1::STATUS_ON_TRACK:
      return "\u2197";  // north east arrow
    case v1::STATUS_AT_RISK:
      return "\u26a0\ufe0e";  // warning sign
    case v1::STATUS_OFF_TRACK:
      return "\u2198";  // south east arrow
    case v1::STATUS_MISSED:
      return "\u2716";  // heavy multiplication x
    default:
      return "\u25cb";  // white circle
  }
}

absl::string_view TrendWord(v1::Trend trend) {
  switch (trend) {
    case v1::TREND_IMPROVING:
      return "bedre";
    case v1::TREND_STABLE:
      return "stabil";
    case v1::TREND_WORSENING:
      return "dårligere";
    default:
      return "for få målinger";
  }
}

absl::string_view MeasureTypeWord(v1::MeasureType type) {
  return type == v1::MEASURE_TYPE_OUTCOME ? "Resultatmål" : "Aktivitetsmål";
}

int CountOf(const v1::StatusCounts& counts, v1::Status status) {
  switch (status) {
    case v1::STATUS_ACHIEVED:
      return counts.achieved();
    case v1::STATUS_ON_TRACK:
      return counts.on_track();
    case v1::STATUS_AT_RISK:
      return counts.at_risk();
    case v1::STATUS_OFF_TRACK:
      return counts.off_track();
    case v1::STATUS_MISSED:
      return counts.missed();
    case v1::STATUS_NO_DATA:
      return counts.no_data();
    default:
      return 0;
  }
}

std::string ReportTitle(const v1::FollowUpReport& report) {
  if (!report.display_name().empty()) return report.display_name();
  if (report.as_of().year() == 0) return "Årlig redegørelse";
  return absl::StrCat("Årlig redegørelse ", report.as_of().year());
}

std::string TargetText(const v1::Indicator& indicator,
                       const v1::IndicatorStatus& status) {
  const v1::Target& target = indicator.target();
  const std::string& unit = indicator.unit();
  bool lower = indicator.direction() == v1::DIRECTION_LOWER_IS_BETTER;
  absl::string_view bound = lower ? "højst " : "mindst ";
  switch (indicator.kind()) {
    case v1::INDICATOR_KIND_COUNT_BY_DEADLINE:
      return absl::StrCat(bound, FormatValue(target.value(), unit),
                          IsSummed(indicator) ? " i alt" : "",
                          Deadline(indicator, "senest"));
    case v1::INDICATOR_KIND_RATE_PER_PERIOD:
      return absl::StrCat(bound, FormatValue(target.value(), unit), " pr. ",
                          PeriodNoun(indicator.reporting_period()),
                          Deadline(indicator, "frem til"));
    case v1::INDICATOR_KIND_SHARE_AT_LEAST:
      return absl::StrCat(bound, FormatValue(target.value(), unit),
                          Deadline(indicator, "senest"));
    case v1::INDICATOR_KIND_RELATIVE_CHANGE: {
      double change = target.relative_change();
      return absl::StrCat(change < 0 ? "fald" : "stigning", " på ",
                          FormatNumber(std::fabs(change) * 100), kNoBreakSpace,
                          "% fra udgangspunktet ",
                          FormatValue(indicator.baseline().value(), unit),
                          " til ",
                          FormatValue(RelativeTarget(indicator, status), unit),
                          Deadline(indicator, "senest"));
    }
    case v1::INDICATOR_KIND_PARITY: {
      std::string tolerance = FormatDifference(target.tolerance(), unit);
      bool exact = target.tolerance() == 0;
      std::string text;
      switch (target.parity_bound()) {
        case v1::PARITY_BOUND_UPPER:
          text = absl::StrCat("højst sammenligningsgruppens niveau",
                              exact ? "" : absl::StrCat(" + ", tolerance));
          break;
        case v1::PARITY_BOUND_LOWER:
          text = absl::StrCat(
              "mindst sammenligningsgruppens niveau",
              exact ? "" : absl::StrCat(" ", kMinus, " ", tolerance));
          break;
        default:
          text =
              absl::StrCat("samme niveau som sammenligningsgruppen",
                           exact ? "" : absl::StrCat(" (± ", tolerance, ")"));
      }
      return absl::StrCat(text, Deadline(indicator, "senest"));
    }
    case v1::INDICATOR_KIND_MILESTONE:
      return absl::StrCat("gennemført", Deadline(indicator, "senest"));
    case v1::INDICATOR_KIND_QUALITATIVE:
      return absl::StrCat("vurderes kvalitativt",
                          Deadline(indicator, "frem til"));
    default:
      return absl::StrCat(FormatValue(target.value(), unit),
                          Deadline(indicator, "senest"));
  }
}

std::string LatestText(const v1::Indicator& indicator,
                       const v1::IndicatorStatus& status) {
  if (status.latest_period().empty()) return "ingen målinger";
  std::string period = PeriodLabel(status.latest_period());
  const std::string& unit = indicator.unit();
  switch (indicator.kind()) {
    case v1::INDICATOR_KIND_MILESTONE:
      return absl::StrCat(
          status.latest_value() >= 1 ? "gennemført" : "ikke gennemført", " (",
          period, ")");
    case v1::INDICATOR_KIND_QUALITATIVE:
      return absl::StrCat("vurderet ", period);
    case v1::INDICATOR_KIND_PARITY:
      return absl::StrCat("målgruppen ",
                          FormatValue(status.latest_value(), unit),
                          ", sammenligningsgruppen ",
                          FormatValue(status.latest_reference_value(), unit),
                          " (", period, ")");
    default:
      return absl::StrCat(FormatValue(status.latest_value(), unit), " (",
                          period, ")");
  }
}

std::string ForecastText(const v1::Indicator& indicator,
                         const v1::IndicatorStatus& status) {
  if (!status.has_forecast()) return "ingen prognose";
  return absl::StrCat(FormatValue(status.forecast_value(), indicator.unit()),
                      Deadline(indicator, "ved fristen"));
}

bool IsCharted(const v1::Indicator& indicator) {
  return indicator.kind() != v1::INDICATOR_KIND_MILESTONE &&
         indicator.kind() != v1::INDICATOR_KIND_QUALITATIVE;
}

bool HasTargetLine(const v1::Indicator& indicator,
                   const v1::IndicatorStatus& status, double* value) {
  switch (indicator.kind()) {
    case v1::INDICATOR_KIND_COUNT_BY_DEADLINE:
    case v1::INDICATOR_KIND_RATE_PER_PERIOD:
    case v1::INDICATOR_KIND_SHARE_AT_LEAST:
      *value = indicator.target().value();
      return true;
    case v1::INDICATOR_KIND_RELATIVE_CHANGE:
      *value = RelativeTarget(indicator, status);
      return true;
    default:
      // Parity's target moves with the reference group, drawn as a series.
      return false;
  }
}

bool IsSummed(const v1::Indicator& indicator) {
  return indicator.kind() == v1::INDICATOR_KIND_COUNT_BY_DEADLINE &&
         indicator.aggregation() == v1::AGGREGATION_SUM;
}

std::vector<PeriodRow> PeriodRows(const v1::IndicatorSection& section) {
  std::vector<PeriodRow> rows;
  for (const v1::SeriesPoint& p : section.points()) {
    if (rows.empty() || rows.back().period != p.period()) {
      rows.push_back(PeriodRow{p.period(), {}, {}, {}});
    }
    if (p.series() == v1::SERIES_REFERENCE_GROUP) {
      rows.back().reference = p.value();
    } else {
      rows.back().target = p.value();
    }
  }
  if (IsSummed(section.indicator())) {
    double sum = 0;
    for (PeriodRow& row : rows) {
      sum += row.target.value_or(0);
      row.total = sum;
    }
  }
  return rows;
}

}  // namespace kommune::followup::report
