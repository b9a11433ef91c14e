#include "services/followup/report_markdown.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/followup/report_text.h"

namespace kommune::followup {
namespace {

using report::FormatValue;
using report::kStatusOrder;

void AppendCountsRow(absl::string_view title, const v1::StatusCounts& counts,
                     bool bold, std::string& out) {
  absl::string_view b = bold ? "**" : "";
  absl::StrAppend(&out, "| ", b, EscapeMarkdown(title), b, " | ", b,
                  counts.total(), b, " |");
  for (v1::Status s : kStatusOrder) {
    absl::StrAppend(&out, " ", report::CountOf(counts, s), " |");
  }
  absl::StrAppend(&out, "\n");
}

void AppendSummary(const v1::FollowUpReport& report, std::string& out) {
  absl::StrAppend(&out, "## Overblik\n\n| Indsatsområde | Indikatorer |");
  for (v1::Status s : kStatusOrder) {
    absl::StrAppend(&out, " ", report::StatusSymbol(s), " ",
                    report::StatusHeading(s), " |");
  }
  absl::StrAppend(&out, "\n| --- | ---: |");
  for (size_t i = 0; i < kStatusOrder.size(); ++i) {
    absl::StrAppend(&out, " ---: |");
  }
  absl::StrAppend(&out, "\n");
  for (const v1::FocusAreaSection& area : report.focus_areas()) {
    AppendCountsRow(area.title(), area.counts(), false, out);
  }
  AppendCountsRow("I alt", report.totals(), true, out);
  absl::StrAppend(&out,
                  "\nEn indikator, der måler flere succeskriterier, tælles "
                  "med én gang i hvert indsatsområde og én gang i alt.\n\n");
}

void AppendValues(const v1::IndicatorSection& section, std::string& out) {
  std::vector<report::PeriodRow> rows = report::PeriodRows(section);
  if (rows.empty() || !report::IsCharted(section.indicator())) return;
  const std::string& unit = section.indicator().unit();
  bool reference = false, total = false;
  for (const report::PeriodRow& row : rows) {
    reference |= row.reference.has_value();
    total |= row.total.has_value();
  }
  absl::StrAppend(&out, "\n| Periode | Målgruppe |",
                  reference ? " Sammenligningsgruppe |" : "",
                  total ? " I alt |" : "", "\n| --- | ---: |",
                  reference ? " ---: |" : "", total ? " ---: |" : "", "\n");
  auto cell = [&](const std::optional<double>& v) {
    return v ? EscapeMarkdown(FormatValue(*v, unit)) : std::string("–");
  };
  for (const report::PeriodRow& row : rows) {
    absl::StrAppend(&out, "| ", EscapeMarkdown(report::PeriodLabel(row.period)),
                    " | ", cell(row.target), " |");
    if (reference) absl::StrAppend(&out, " ", cell(row.reference), " |");
    if (total) absl::StrAppend(&out, " ", cell(row.total), " |");
    absl::StrAppend(&out, "\n");
  }
}

void AppendIndicator(const v1::IndicatorSection& section, std::string& out) {
  const v1::Indicator& ind = section.indicator();
  const v1::IndicatorStatus& st = section.status();
  auto md = [](absl::string_view s) { return EscapeMarkdown(s); };
  absl::StrAppend(&out, "#### ", md(ind.display_name()), "\n\n",
                  "- Status: ", report::StatusSymbol(st.status()), " **",
                  report::StatusWord(st.status()), "**");
  if (!st.explanation().empty()) {
    absl::StrAppend(&out, " — ", md(st.explanation()));
  }
  absl::StrAppend(&out, "\n- ", report::MeasureTypeWord(ind.measure_type()),
                  "\n- Seneste værdi: ", md(report::LatestText(ind, st)),
                  "\n- Mål: ", md(report::TargetText(ind, st)),
                  "\n- Udvikling: ", report::TrendWord(st.trend()),
                  "\n- Prognose: ", md(report::ForecastText(ind, st)), "\n");
  if (!ind.owner_committee().display_name().empty()) {
    absl::StrAppend(&out, "- Ansvarligt udvalg: ",
                    md(ind.owner_committee().display_name()), "\n");
  }
  if (!ind.data_source().empty()) {
    absl::StrAppend(&out, "- Datakilde: ", md(ind.data_source()), "\n");
  }
  AppendValues(section, out);
  absl::StrAppend(&out, "\n");
}

}  // namespace

std::string RenderReportMarkdown(const v1::FollowUpReport& report) {
  auto md = [](absl::string_view s) { return EscapeMarkdown(s); };
  std::string out = absl::StrCat("# ", md(report::ReportTitle(report)), "\n\n");
  if (!report.policy_title().empty()) {
    absl::StrAppend(&out, "- Politik: ", md(report.policy_title()), "\n");
  }
  absl::StrAppend(&out, "- Opgjort pr. ",
                  md(report::FormatLongDate(report.as_of())), "\n\n");
  AppendSummary(report, out);
  if (report.focus_areas().empty()) {
    absl::StrAppend(&out, "Politikken har ingen indikatorer.\n");
  }
  for (const v1::FocusAreaSection& area : report.focus_areas()) {
    bool others = area.focus_area_id().empty();
    absl::StrAppend(&out, "## ", md(area.title()), "\n\n");
    if (others) {
      absl::StrAppend(&out,
                      "Indikatorer, hvis succeskriterier ikke længere står i "
                      "politikken.\n\n");
    }
    for (const v1::CriterionSection& criterion : area.criteria()) {
      absl::StrAppend(&out, "### ",
                      others ? "Tidligere succeskriterium" : "Succeskriterium");
      if (!criterion.text().empty()) {
        absl::StrAppend(&out, ": ", md(criterion.text()));
      }
      absl::StrAppend(&out, "\n\n");
      for (const v1::IndicatorSection& section : criterion.indicators()) {
        AppendIndicator(section, out);
      }
    }
  }
  return out;
}

}  // namespace kommune::followup
