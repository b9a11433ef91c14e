#include "services/followup/report_html.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/followup/report_chart.h"
#include "services/followup/report_text.h"

namespace kommune::followup {
namespace {

using report::kStatusOrder;

// Light backgrounds and dark text only (prints on any printer, contrast at
// least 4.5:1); status colours always come with a word and a symbol.
constexpr char kStyle[] = R"css(
:root { --ink: #1a1d21; --muted: #4d555e; --rule: #d5dae0; --navy: #0d2b45;
  --accent: #1f6fa0; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font-family: "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans",
    "DejaVu Sans", sans-serif;
  font-size: 16px; line-height: 1.5; }
.page { max-width: 60rem; margin: 0 auto; padding: 2.5rem 2rem 3rem; }
h1, h2, h3, h4 { color: var(--navy); line-height: 1.25; margin: 0; }
h1 { font-size: 2.1rem; letter-spacing: -0.01em; }
h2 { font-size: 1.55rem; margin: 2.75rem 0 0.75rem; padding-bottom: 0.35rem;
  border-bottom: 2px solid var(--navy); }
h3 { font-size: 1.15rem; margin: 1.75rem 0 0.75rem; }
h4 { font-size: 1.05rem; }
.kicker { display: block; font-size: 0.72rem; font-weight: 700;
  letter-spacing: 0.08em; text-transform: uppercase; color: var(--muted);
  margin-bottom: 0.2rem; }
.report-header { border-top: 6px solid var(--navy); padding-top: 1.25rem; }
.report-header .subtitle { font-size: 1.15rem; margin: 0.4rem 0 1rem; }
.meta { display: flex; flex-wrap: wrap; gap: 0.5rem 2.5rem; margin: 0;
  padding: 0.75rem 0; border-top: 1px solid var(--rule);
  border-bottom: 1px solid var(--rule); }
.meta div { display: flex; flex-direction: column; }
.meta dt { font-size: 0.75rem; text-transform: uppercase;
  letter-spacing: 0.06em; color: var(--muted); }
.meta dd { margin: 0; font-weight: 600; }
p { margin: 0.5rem 0; }
.lead { font-size: 1.05rem; }
.note { font-size: 0.85rem; color: var(--muted); }
a { color: var(--accent); }
a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.4rem; }
th, td { padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--rule);
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--navy); font-size: 0.85rem;
  text-align: right; }
thead th:first-child, tbody th, tfoot th { text-align: left; }
td { text-align: right; }
tfoot th, tfoot td { font-weight: 700; border-top: 2px solid var(--navy);
  border-bottom: 0; }
.counts { width: 100%; margin-top: 0.5rem; }
.counts td.zero { color: #6b737c; }
.status { display: inline-block; white-space: nowrap; font-weight: 700;
  font-size: 0.9rem; padding: 0.1rem 0.55rem; color: var(--fg);
  background: var(--bg); border: 1.5px solid var(--edge); border-radius: 999px; -webkit-print-color-adjust: exact;
  print-color-adjust: exact; }
.status .icon { display: inline-block; min-width: 1.1em; text-align: center; }
.s-achieved { --fg: #14532d; --bg: #e6f4ea; --edge: #1b6e3a; }
.s-on-track { --fg: #0b4a6f; --bg: #e3f1fa; --edge: #1f6fa0; }
.s-at-risk { --fg: #6b4100; --bg: #fff4d6; --edge: #b7791f; }
.s-off-track { --fg: #8a2c00; --bg: #fdece3; --edge: #c2410c; }
.s-missed { --fg: #8b1220; --bg: #fbe7e9; --edge: #a1151e; }
.s-no-data { --fg: #3f454c; --bg: #eef0f2; --edge: #8a9199; }
.counts thead th { padding: 0.35rem 0.3rem; }
.counts thead .status { font-size: 0.75rem; padding: 0 0.4rem; }
.legend-list { display: grid; grid-template-columns: max-content 1fr;
  gap: 0.35rem 1rem; margin: 1rem 0 0; font-size: 0.9rem; }
.legend-list dd { margin: 0; align-self: center; }
.area-counts { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0 0 1rem;
  padding: 0; list-style: none; }
.criterion { margin-top: 1.5rem; }
.criterion h3 { font-weight: 600; }
/* The card shows its status colour on the left edge only. */
.indicator { border: 1px solid var(--rule); border-left: 6px solid var(--edge);
  border-radius: 4px; padding: 1rem 1.25rem 1.1rem; margin: 0 0 1.25rem; }
.indicator-head { display: flex; flex-wrap: wrap; align-items: baseline;
  justify-content: space-between; gap: 0.5rem 1rem; }
.type { font-size: 0.8rem; font-weight: 600; color: var(--muted);
  text-transform: uppercase; letter-spacing: 0.06em; }
.explanation { margin: 0.6rem 0 0.8rem; }
.facts { display: grid; grid-template-columns: repeat(auto-fit,
  minmax(13rem, 1fr)); gap: 0.6rem 1.5rem; margin: 0.75rem 0 1rem; }
.facts div { border-top: 1px solid var(--rule); padding-top: 0.35rem; }
.facts dt { font-size: 0.75rem; text-transform: uppercase;
  letter-spacing: 0.06em; color: var(--muted); }
.facts dd { margin: 0; }
.figure { display: grid; grid-template-columns: minmax(0, 2fr)
  minmax(0, 1fr); gap: 1.25rem; align-items: start; margin: 0; }
.chart { width: 100%; height: auto; display: block; }
.chart text { font-family: inherit; font-size: 12.5px; fill: #3b4148; }
.chart text.unit, .chart text.legend { fill: #1a1d21; }
.chart text.goal { fill: #14532d; font-weight: 700; }
.chart text.deadline { fill: #8b1220; font-weight: 700; }
.chart text.goal, .chart text.deadline { paint-order: stroke; stroke: #fff;
  stroke-width: 4px; stroke-linejoin: round; }
.data { width: 100%; font-size: 0.85rem; }
.data th, .data td { padding: 0.3rem 0.4rem; }
.data caption { font-size: 0.85rem; }
.empty { color: var(--muted); font-style: italic; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px;
  padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; border: 0; }
.report-footer { margin-top: 3rem; padding-top: 0.75rem;
  border-top: 1px solid var(--rule); font-size: 0.85rem; color: var(--muted); }
@media (max-width: 44rem) {
  .page { padding: 1.25rem 1rem 2rem; }
  .figure { grid-template-columns: 1fr; }
  .counts { font-size: 0.85rem; }
}
@page { size: A4; margin: 16mm 15mm 18mm; }
@media print {
  body { font-size: 10pt; }
  .page { max-width: none; padding: 0; }
  h2 { margin-top: 0; }
  .focus-area { break-before: page; page-break-before: always; }
  h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  .indicator, .figure, tr, .legend-list { break-inside: avoid;
    page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
)css";

absl::string_view StatusClass(v1::Status status) {
  switch (status) {
    case v1::STATUS_ACHIEVED:
      return "s-achieved";
    case v1::STATUS_ON_TRACK:
      return "s-on-track";
    case v1::STATUS_AT_RISK:
      return "s-at-risk";
    case v1::STATUS_OFF_TRACK:
      return "s-off-track";
    case v1::STATUS_MISSED:
      return "s-missed";
    default:
      return "s-no-data";
  }
}

absl::string_view StatusMeaning(v1::Status status) {
  switch (status) {
    case v1::STATUS_ACHIEVED:
      return "Målet er nået.";
    case v1::STATUS_ON_TRACK:
      return "Målet er ikke nået endnu, men udviklingen når det inden "
             "fristen.";
    case v1::STATUS_AT_RISK:
      return "Der er fremgang, men prognosen når ikke helt målet.";
    case v1::STATUS_OFF_TRACK:
      return "Langt fra målet, eller udviklingen går den forkerte vej.";
    case v1::STATUS_MISSED:
      return "Fristen er gået, uden at målet blev nået.";
    default:
      return "Der er ingen målinger at vurdere ud fra.";
  }
}

// A status as a pill: symbol (hidden from screen readers, the word says
// it) and word; `text` replaces the word, for counts and headers.
std::string StatusPill(v1::Status status, absl::string_view text) {
  return absl::StrCat("<span class=\"status ", StatusClass(status),
                      "\"><span class=\"icon\" aria-hidden=\"true\">",
                      report::StatusSymbol(status), "</span> ",
                      EscapeHtml(text), "</span>");
}

void AppendCountsRow(absl::string_view title, absl::string_view anchor,
                     const v1::StatusCounts& counts, std::string& out) {
  absl::StrAppend(&out, "<tr><th scope=\"row\">");
  if (anchor.empty()) {
    absl::StrAppend(&out, EscapeHtml(title));
  } else {
    absl::StrAppend(&out, "<a href=\"#", anchor, "\">", EscapeHtml(title),
                    "</a>");
  }
  absl::StrAppend(&out, "</th><td>", counts.total(), "</td>");
  for (v1::Status s : kStatusOrder) {
    int n = report::CountOf(counts, s);
    absl::StrAppend(&out, "<td", n == 0 ? " class=\"zero\"" : "", ">", n,
                    "</td>");
  }
  absl::StrAppend(&out, "</tr>\n");
}

std::string AreaAnchor(int index) { return absl::StrCat("omraade-", index); }

// "3 indikatorer: 1 opfyldt, 1 på vej og 1 i risiko."
std::string CountsSentence(const v1::StatusCounts& counts) {
  std::vector<std::string> parts;
  for (v1::Status s : kStatusOrder) {
    int n = report::CountOf(counts, s);
    if (n > 0) parts.push_back(absl::StrCat(n, " ", report::StatusWord(s)));
  }
  std::string list;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) list += i + 1 == parts.size() ? " og " : ", ";
    list += parts[i];
  }
  return absl::StrCat(counts.total(),
                      counts.total() == 1 ? " indikator" : " indikatorer",
                      list.empty() ? "" : ": ", list, ".");
}

void AppendOverview(const v1::FollowUpReport& report, std::string& out) {
  absl::StrAppend(&out,
                  "<section aria-labelledby=\"overblik\">\n<h2 "
                  "id=\"overblik\">Overblik</h2>\n<p class=\"lead\">Politikken "
                  "følges op med ",
                  EscapeHtml(CountsSentence(report.totals())), "</p>\n");
  absl::StrAppend(&out,
                  "<table class=\"counts\">\n<caption>Indikatorernes status "
                  "pr. indsatsområde</caption>\n<thead><tr><th "
                  "scope=\"col\">Indsatsområde</th><th "
                  "scope=\"col\">Indikatorer</th>");
  for (v1::Status s : kStatusOrder) {
    absl::StrAppend(&out, "<th scope=\"col\">",
                    StatusPill(s, report::StatusHeading(s)), "</th>");
  }
  absl::StrAppend(&out, "</tr></thead>\n<tbody>\n");
  int index = 0;
  for (const v1::FocusAreaSection& area : report.focus_areas()) {
    AppendCountsRow(area.title(), AreaAnchor(++index), area.counts(), out);
  }
  absl::StrAppend(&out, "</tbody>\n<tfoot>\n");
  AppendCountsRow("I alt", "", report.totals(), out);
  absl::StrAppend(&out,
                  "</tfoot>\n</table>\n<p class=\"note\">En indikator, der "
                  "måler flere succeskriterier, vises under hvert af dem, "
                  "men tælles kun én gang pr. indsatsområde og én gang i "
                  "alt.</p>\n<h3>Sådan læses status</h3>\n<dl "
                  "class=\"legend-list\">\n");
  for (v1::Status s : kStatusOrder) {
    absl::StrAppend(&out, "<dt>", StatusPill(s, report::StatusWord(s)),
                    "</dt><dd>", EscapeHtml(StatusMeaning(s)), "</dd>\n");
  }
  absl::StrAppend(&out, "</dl>\n</section>\n");
}

// Soft hyphens let the narrow data table break its long headers.
constexpr char kTargetHeader[] = "Mål\u00adgruppe";
constexpr char kReferenceHeader[] = "Sammen\u00adlignings\u00adgruppe";

void AppendDataTable(const v1::IndicatorSection& section, std::string& out) {
  std::vector<report::PeriodRow> rows = report::PeriodRows(section);
  const std::string& unit = section.indicator().unit();
  bool reference = false, total = false;
  for (const report::PeriodRow& row : rows) {
    reference |= row.reference.has_value();
    total |= row.total.has_value();
  }
  absl::StrAppend(
      &out, "<table class=\"data\">\n<caption>Målinger",
      unit.empty() ? "" : " (", EscapeHtml(unit), unit.empty() ? "" : ")",
      "</caption>\n<thead><tr><th scope=\"col\">Periode</th><th "
      "scope=\"col\">",
      kTargetHeader, "</th>",
      reference ? absl::StrCat("<th scope=\"col\">", kReferenceHeader, "</th>")
                : "",
      total ? "<th scope=\"col\">I alt</th>" : "", "</tr></thead>\n<tbody>\n");
  auto cell = [](const std::optional<double>& v) {
    return v ? EscapeHtml(report::FormatNumber(*v)) : std::string("–");
  };
  for (const report::PeriodRow& row : rows) {
    absl::StrAppend(&out, "<tr><th scope=\"row\">",
                    EscapeHtml(report::PeriodLabel(row.period)), "</th><td>",
                    cell(row.target), "</td>");
    if (reference) absl::StrAppend(&out, "<td>", cell(row.reference), "</td>");
    if (total) absl::StrAppend(&out, "<td>", cell(row.total), "</td>");
    absl::StrAppend(&out, "</tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n");
}

void AppendFact(absl::string_view term, absl::string_view value,
                std::string& out) {
  if (value.empty()) return;
  absl::StrAppend(&out, "<div><dt>", term, "</dt><dd>", EscapeHtml(value),
                  "</dd></div>\n");
}

void AppendIndicator(const v1::IndicatorSection& section, int number,
                     std::string& out) {
  const v1::Indicator& ind = section.indicator();
  const v1::IndicatorStatus& st = section.status();
  std::string id = absl::StrCat("indikator-", number);
  absl::StrAppend(
      &out, "<article class=\"indicator ", StatusClass(st.status()),
      "\" aria-labelledby=\"", id, "\">\n<div class=\"indicator-head\">\n",
      "<h4 id=\"", id, "\">", EscapeHtml(ind.display_name()), "</h4>\n<p>",
      "<span class=\"type\">", report::MeasureTypeWord(ind.measure_type()),
      "</span> <span class=\"visually-hidden\">Status:</span>",
      StatusPill(st.status(), report::StatusWord(st.status())),
      "</p>\n</div>\n");
  if (!st.explanation().empty()) {
    absl::StrAppend(&out, "<p class=\"explanation\">",
                    EscapeHtml(st.explanation()), "</p>\n");
  }
  absl::StrAppend(&out, "<dl class=\"facts\">\n");
  AppendFact("Seneste værdi", report::LatestText(ind, st), out);
  AppendFact("Mål", report::TargetText(ind, st), out);
  AppendFact("Udvikling", report::TrendWord(st.trend()), out);
  AppendFact("Prognose", report::ForecastText(ind, st), out);
  AppendFact("Ansvarligt udvalg", ind.owner_committee().display_name(), out);
  AppendFact("Datakilde", ind.data_source(), out);
  absl::StrAppend(&out, "</dl>\n");
  std::string chart = RenderIndicatorChart(section, id);
  if (!chart.empty()) {
    absl::StrAppend(&out, "<div class=\"figure\">\n", chart);
    AppendDataTable(section, out);
    absl::StrAppend(&out, "</div>\n");
  } else if (section.points().empty()) {
    absl::StrAppend(&out, "<p class=\"empty\">Ingen målinger endnu.</p>\n");
  }
  absl::StrAppend(&out, "</article>\n");
}

void AppendFocusArea(const v1::FocusAreaSection& area, int index,
                     int& indicator_number, std::string& out) {
  bool others = area.focus_area_id().empty();
  std::string anchor = AreaAnchor(index);
  absl::StrAppend(&out, "<section class=\"focus-area\" id=\"", anchor,
                  "\" aria-labelledby=\"", anchor, "-h\">\n<h2 id=\"", anchor,
                  "-h\">");
  if (!others) {
    absl::StrAppend(&out, "<span class=\"kicker\">Indsatsområde</span>");
  }
  absl::StrAppend(&out, EscapeHtml(area.title()), "</h2>\n");
  if (others) {
    absl::StrAppend(&out,
                    "<p>Indikatorer, hvis succeskriterier ikke længere står "
                    "i politikken.</p>\n");
  }
  absl::StrAppend(&out, "<p class=\"visually-hidden\">",
                  EscapeHtml(CountsSentence(area.counts())),
                  "</p>\n<ul class=\"area-counts\" aria-hidden=\"true\">\n");
  for (v1::Status s : kStatusOrder) {
    int n = report::CountOf(area.counts(), s);
    if (n == 0) continue;
    absl::StrAppend(&out, "<li>",
                    StatusPill(s, absl::StrCat(n, " ", report::StatusWord(s))),
                    "</li>\n");
  }
  absl::StrAppend(&out, "</ul>\n");
  for (const v1::CriterionSection& criterion : area.criteria()) {
    absl::StrAppend(&out,
                    "<section class=\"criterion\">\n<h3><span "
                    "class=\"kicker\">",
                    others ? "Tidligere succeskriterium" : "Succeskriterium",
                    "</span>", EscapeHtml(criterion.text()), "</h3>\n");
    for (const v1::IndicatorSection& section : criterion.indicators()) {
      AppendIndicator(section, ++indicator_number, out);
    }
    absl::StrAppend(&out, "</section>\n");
  }
  absl::StrAppend(&out, "</section>\n");
}

}  // namespace

std::string RenderReportHtml(const v1::FollowUpReport& report) {
  std::string title = report::ReportTitle(report);
  std::string as_of = report::FormatLongDate(report.as_of());
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>",
      EscapeHtml(title), report.policy_title().empty() ? "" : " – ",
      EscapeHtml(report.policy_title()), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<div class=\"page\">\n<header "
      "class=\"report-header\">\n<h1>",
      EscapeHtml(title), "</h1>\n");
  if (!report.policy_title().empty()) {
    absl::StrAppend(&out, "<p class=\"subtitle\">Opfølgning på ", "<strong>",
                    EscapeHtml(report.policy_title()), "</strong></p>\n");
  }
  absl::StrAppend(&out, "<dl class=\"meta\">\n");
  AppendFact("Opgjort pr.", as_of, out);
  AppendFact("Indikatorer", absl::StrCat(report.totals().total()), out);
  int areas = 0;
  for (const v1::FocusAreaSection& area : report.focus_areas()) {
    if (!area.focus_area_id().empty()) ++areas;
  }
  AppendFact("Indsatsområder", absl::StrCat(areas), out);
  absl::StrAppend(&out, "</dl>\n</header>\n<main>\n");
  AppendOverview(report, out);
  if (report.focus_areas().empty()) {
    absl::StrAppend(&out,
                    "<p class=\"empty\">Politikken har ingen "
                    "indikatorer.</p>\n");
  }
  int index = 0, indicator_number = 0;
  for (const v1::FocusAreaSection& area : report.focus_areas()) {
    AppendFocusArea(area, ++index, indicator_number, out);
  }
  absl::StrAppend(&out,
                  "</main>\n<footer class=\"report-footer\">\n<p>Status og "
                  "prognoser er opgjort pr. ",
                  EscapeHtml(as_of),
                  " ud fra de målinger, der var registreret til og med den "
                  "dag. Prognosen er den lineære tendens i målingerne, "
                  "forlænget til fristen.</p>\n</footer>\n</div>\n</body>\n"
                  "</html>\n");
  return out;
}

}  // namespace kommune::followup
