#include "services/followup/report_chart.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/followup/periods.h"
#include "services/followup/report_text.h"

namespace kommune::followup {
namespace {

using report::FormatValue;

// The drawing in viewBox units; the page scales it to its column.
constexpr double kWidth = 600;
constexpr double kHeight = 300;
constexpr double kLeft = 64;
constexpr double kRight = 24;
constexpr double kTop = 34;
constexpr double kBottom = 82;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;
// Rough advance of a 12-unit DejaVu/Arial character, to keep labels apart.
constexpr double kCharWidth = 6.8;

// Colours chosen for at least 3:1 against white (WCAG non-text contrast);
// each series also differs by dash pattern and marker shape.
constexpr char kTargetColour[] = "#1f4e79";
constexpr char kReferenceColour[] = "#5a6470";
constexpr char kGoalColour[] = "#1b6e3a";
constexpr char kDeadlineColour[] = "#a1151e";

std::string F(double v) { return absl::StrFormat("%.1f", v); }

size_t CodePoints(absl::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

// What is drawn, in data units; x positions are period indexes.
struct Plot {
  struct Point {
    int64_t x;
    double y;
  };
  v1::ReportingPeriod kind;
  bool indexed = true;  // false: periods did not parse; x is the row number
  std::vector<std::string> row_periods;
  std::vector<Point> target;
  std::vector<Point> reference;
  std::optional<double> goal;
  std::optional<int64_t> deadline;
  std::optional<Plot::Point> forecast;
  int64_t x_min = 0, x_max = 0;
  double y_min = 0, y_max = 1, y_step = 1;
};

// A step of 1, 2, 2.5 or 5 times a power of ten giving about four
// intervals, and the range widened to whole steps.
void NiceScale(double lo, double hi, Plot& plot) {
  if (hi - lo < 1e-9) hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.2);
  double raw = (hi - lo) / 4;
  double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double norm = raw / magnitude;
  double step = norm <= 1     ? 1
                : norm <= 2   ? 2
                : norm <= 2.5 ? 2.5
                : norm <= 5   ? 5
                              : 10;
  plot.y_step = step * magnitude;
  plot.y_min = std::floor(lo / plot.y_step + 1e-9) * plot.y_step;
  plot.y_max = std::ceil(hi / plot.y_step - 1e-9) * plot.y_step;
  if (plot.y_max <= plot.y_min) plot.y_max = plot.y_min + plot.y_step;
}

Plot MakePlot(const v1::IndicatorSection& section) {
  const v1::Indicator& ind = section.indicator();
  const v1::IndicatorStatus& st = section.status();
  Plot plot;
  plot.kind = ind.reporting_period();
  std::vector<report::PeriodRow> rows = report::PeriodRows(section);
  std::vector<int64_t> xs;
  for (const report::PeriodRow& row : rows) {
    plot.row_periods.push_back(row.period);
    absl::StatusOr<Period> p = ParsePeriod(row.period, plot.kind);
    if (!p.ok()) plot.indexed = false;
    xs.push_back(p.ok() ? p->index : 0);
  }
  if (!plot.indexed) {
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<int64_t>(i);
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    std::optional<double> t = rows[i].total ? rows[i].total : rows[i].target;
    if (t) plot.target.push_back({xs[i], *t});
    if (rows[i].reference)
      plot.reference.push_back({xs[i], *rows[i].reference});
  }
  plot.x_min = xs.front();
  plot.x_max = xs.back();
  double goal;
  if (report::HasTargetLine(ind, st, &goal)) plot.goal = goal;
  absl::StatusOr<absl::CivilDay> day =
      ToCivilDay(ind.target().deadline(), "deadline");
  if (plot.indexed && ind.target().deadline().year() != 0 && day.ok()) {
    plot.deadline = PeriodContaining(*day, plot.kind).index;
    plot.x_min = std::min(plot.x_min, *plot.deadline);
    plot.x_max = std::max(plot.x_max, *plot.deadline);
    if (st.has_forecast() && !plot.target.empty()) {
      plot.forecast = Plot::Point{*plot.deadline, st.forecast_value()};
    }
  }
  double lo = 0, hi = 0;
  auto widen = [&](double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (const Plot::Point& p : plot.target) widen(p.y);
  for (const Plot::Point& p : plot.reference) widen(p.y);
  if (plot.goal) widen(*plot.goal);
  if (plot.forecast) widen(plot.forecast->y);
  NiceScale(lo, hi, plot);
  return plot;
}

double X(const Plot& plot, int64_t x) {
  // Each period gets a band; its point sits in the band's middle, so a
  // single period still has room on both sides.
  double bands = static_cast<double>(plot.x_max - plot.x_min + 1);
  return kLeft +
         (static_cast<double>(x - plot.x_min) + 0.5) * kPlotWidth / bands;
}

double Y(const Plot& plot, double y) {
  return kTop + kPlotHeight -
         (y - plot.y_min) / (plot.y_max - plot.y_min) * kPlotHeight;
}

std::string PeriodAxisLabel(const Plot& plot, int64_t x) {
  if (!plot.indexed) return report::ShortPeriodLabel(plot.row_periods[x]);
  return report::ShortPeriodLabel(PeriodAt(x, plot.kind).key);
}

// A label; the page's CSS sets its font and colour by class (and gives
// labels over lines a white outline).
std::string Text(double x, double y, absl::string_view anchor,
                 absl::string_view cls, absl::string_view text) {
  return absl::StrCat("<text x=\"", F(x), "\" y=\"", F(y), "\" text-anchor=\"",
                      anchor, "\" class=\"", cls, "\">", EscapeHtml(text),
                      "</text>\n");
}

void AppendAxes(const Plot& plot, absl::string_view unit, std::string& out) {
  absl::StrAppend(&out, "<g class=\"axis\">\n");
  int steps =
      static_cast<int>(std::lround((plot.y_max - plot.y_min) / plot.y_step));
  for (int i = 0; i <= steps; ++i) {
    double v = plot.y_min + i * plot.y_step;
    double y = Y(plot, v);
    absl::StrAppend(
        &out, "<line x1=\"", F(kLeft), "\" x2=\"", F(kLeft + kPlotWidth),
        "\" y1=\"", F(y), "\" y2=\"", F(y), "\" stroke=\"",
        v == 0 ? "#6b7178" : "#dde1e6", "\" stroke-width=\"1\"/>\n",
        Text(kLeft - 8, y + 4, "end", "tick", report::FormatNumber(v)));
  }
  if (!unit.empty()) {
    absl::StrAppend(&out, Text(8, kTop - 18, "start", "unit", unit));
  }
  double baseline = kTop + kPlotHeight;
  absl::StrAppend(&out, "<line x1=\"", F(kLeft), "\" x2=\"",
                  F(kLeft + kPlotWidth), "\" y1=\"", F(baseline), "\" y2=\"",
                  F(baseline), "\" stroke=\"#6b7178\" stroke-width=\"1\"/>\n");
  // Every k-th period, so that labels never overlap.
  int64_t bands = plot.x_max - plot.x_min + 1;
  size_t longest = 0;
  for (int64_t x = plot.x_min; x <= plot.x_max; ++x) {
    longest = std::max(longest, CodePoints(PeriodAxisLabel(plot, x)));
  }
  double band = kPlotWidth / static_cast<double>(bands);
  int64_t every = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil((longest * kCharWidth + 10) / band)));
  for (int64_t x = plot.x_min; x <= plot.x_max; x += every) {
    double px = X(plot, x);
    absl::StrAppend(
        &out, "<line x1=\"", F(px), "\" x2=\"", F(px), "\" y1=\"", F(baseline),
        "\" y2=\"", F(baseline + 5), "\" stroke=\"#6b7178\"/>\n",
        Text(px, baseline + 20, "middle", "tick", PeriodAxisLabel(plot, x)));
  }
  absl::StrAppend(&out, "</g>\n");
}

std::string Polyline(const Plot& plot, const std::vector<Plot::Point>& points,
                     absl::string_view colour, absl::string_view dash) {
  std::vector<std::string> coords;
  for (const Plot::Point& p : points) {
    coords.push_back(absl::StrCat(F(X(plot, p.x)), ",", F(Y(plot, p.y))));
  }
  return absl::StrCat("<polyline fill=\"none\" stroke=\"", colour,
                      "\" stroke-width=\"2.5\" stroke-linejoin=\"round\"",
                      dash.empty() ? "" : " stroke-dasharray=\"", dash,
                      dash.empty() ? "" : "\"", " points=\"",
                      absl::StrJoin(coords, " "), "\"/>\n");
}

std::string Circle(double x, double y, absl::string_view colour, bool hollow) {
  return absl::StrCat("<circle cx=\"", F(x), "\" cy=\"", F(y),
                      "\" r=\"4.5\" fill=\"", hollow ? "#ffffff" : colour,
                      "\" stroke=\"", colour, "\" stroke-width=\"2\"/>\n");
}

std::string Square(double x, double y, absl::string_view colour) {
  return absl::StrCat("<rect x=\"", F(x - 4), "\" y=\"", F(y - 4),
                      "\" width=\"8\" height=\"8\" fill=\"#ffffff\" stroke=\"",
                      colour, "\" stroke-width=\"2\"/>\n");
}

void AppendMarkers(const Plot& plot, const v1::IndicatorSection& section,
                   std::string& out) {
  const std::string& unit = section.indicator().unit();
  if (plot.goal) {
    double y = Y(plot, *plot.goal);
    absl::StrAppend(
        &out, "<line x1=\"", F(kLeft), "\" x2=\"", F(kLeft + kPlotWidth),
        "\" y1=\"", F(y), "\" y2=\"", F(y), "\" stroke=\"", kGoalColour,
        "\" stroke-width=\"2\"/>\n",
        // Below the line when it runs along the top, clear of the unit.
        Text(kLeft + 6, y < kTop + 16 ? y + 16 : y - 6, "start", "goal",
             absl::StrCat("Mål ", FormatValue(*plot.goal, unit))));
  }
  if (plot.deadline) {
    double x = X(plot, *plot.deadline);
    bool near_right = x > kLeft + kPlotWidth - 60;
    absl::StrAppend(
        &out, "<line x1=\"", F(x), "\" x2=\"", F(x), "\" y1=\"", F(kTop - 6),
        "\" y2=\"", F(kTop + kPlotHeight), "\" stroke=\"", kDeadlineColour,
        "\" stroke-width=\"1.5\" stroke-dasharray=\"2 4\"/>\n",
        Text(near_right ? x + 4 : x, kTop - 12, near_right ? "end" : "middle",
             "deadline",
             absl::StrCat(
                 "Frist ",
                 report::FormatDate(section.indicator().target().deadline()))));
  }
}

void AppendSeries(const Plot& plot, std::string& out) {
  if (!plot.reference.empty()) {
    absl::StrAppend(&out,
                    Polyline(plot, plot.reference, kReferenceColour, "7 5"));
    for (const Plot::Point& p : plot.reference) {
      absl::StrAppend(&out,
                      Square(X(plot, p.x), Y(plot, p.y), kReferenceColour));
    }
  }
  if (plot.forecast && !plot.target.empty()) {
    absl::StrAppend(&out,
                    Polyline(plot, {plot.target.back(), *plot.forecast},
                             kTargetColour, "2 5"),
                    Circle(X(plot, plot.forecast->x), Y(plot, plot.forecast->y),
                           kTargetColour, true));
  }
  absl::StrAppend(&out, Polyline(plot, plot.target, kTargetColour, ""));
  for (const Plot::Point& p : plot.target) {
    absl::StrAppend(&out,
                    Circle(X(plot, p.x), Y(plot, p.y), kTargetColour, false));
  }
}

// The legend: one sample of each line or mark used, with its name.
void AppendLegend(const Plot& plot, const v1::IndicatorSection& section,
                  std::string& out) {
  double x = kLeft;
  double y = kHeight - 18;
  auto item = [&](absl::string_view sample, absl::string_view label) {
    absl::StrAppend(&out, sample,
                    Text(x + 38, y + 4, "start", "legend", label));
    x += 38 + CodePoints(label) * kCharWidth + 20;
  };
  auto line = [&](absl::string_view colour, absl::string_view dash) {
    return absl::StrCat("<line x1=\"", F(x), "\" x2=\"", F(x + 28), "\" y1=\"",
                        F(y), "\" y2=\"", F(y), "\" stroke=\"", colour,
                        "\" stroke-width=\"2.5\"",
                        dash.empty() ? "" : " stroke-dasharray=\"", dash,
                        dash.empty() ? "" : "\"", "/>\n");
  };
  absl::StrAppend(&out, "<g class=\"legend\">\n");
  item(
      absl::StrCat(line(kTargetColour, ""),
                   Circle(x + 14, y, kTargetColour, false)),
      report::IsSummed(section.indicator()) ? "Målgruppe, i alt" : "Målgruppe");
  if (!plot.reference.empty()) {
    item(absl::StrCat(line(kReferenceColour, "7 5"),
                      Square(x + 14, y, kReferenceColour)),
         "Sammenligningsgruppe");
  }
  if (plot.goal) item(line(kGoalColour, ""), "Mål");
  if (plot.deadline) {
    item(absl::StrCat("<line x1=\"", F(x + 14), "\" x2=\"", F(x + 14),
                      "\" y1=\"", F(y - 8), "\" y2=\"", F(y + 8),
                      "\" stroke=\"", kDeadlineColour,
                      "\" stroke-width=\"1.5\" stroke-dasharray=\"2 4\"/>\n"),
         "Frist");
  }
  if (plot.forecast) {
    item(absl::StrCat(line(kTargetColour, "2 5"),
                      Circle(x + 24, y, kTargetColour, true)),
         "Prognose");
  }
  absl::StrAppend(&out, "</g>\n");
}

std::string SeriesInWords(const std::vector<report::PeriodRow>& rows,
                          bool reference, bool totals, absl::string_view unit) {
  std::vector<std::string> parts;
  for (const report::PeriodRow& row : rows) {
    const std::optional<double>& v =
        reference ? row.reference : (totals ? row.total : row.target);
    if (v) {
      parts.push_back(absl::StrCat(report::PeriodLabel(row.period), ": ",
                                   FormatValue(*v, unit)));
    }
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

std::string ChartDescription(const v1::IndicatorSection& section) {
  const v1::Indicator& ind = section.indicator();
  const v1::IndicatorStatus& st = section.status();
  std::vector<report::PeriodRow> rows = report::PeriodRows(section);
  bool summed = report::IsSummed(ind);
  std::string target = SeriesInWords(rows, false, summed, ind.unit());
  std::string out =
      absl::StrCat(summed ? "Målgruppen, opsummeret: " : "Målgruppen: ",
                   target.empty() ? "ingen målinger" : target, ".");
  std::string reference = SeriesInWords(rows, true, false, ind.unit());
  if (!reference.empty()) {
    absl::StrAppend(&out, " Sammenligningsgruppen: ", reference, ".");
  }
  absl::StrAppend(&out, " Mål: ", report::TargetText(ind, st), ".");
  if (st.has_forecast()) {
    absl::StrAppend(&out, " Prognose: ", report::ForecastText(ind, st), ".");
  }
  absl::StrAppend(&out, " Status: ", report::StatusWord(st.status()), ".");
  return out;
}

std::string RenderIndicatorChart(const v1::IndicatorSection& section,
                                 absl::string_view id) {
  if (section.points().empty() || !report::IsCharted(section.indicator())) {
    return "";
  }
  Plot plot = MakePlot(section);
  if (plot.target.empty() && plot.reference.empty()) return "";
  std::string title =
      absl::StrCat("Udvikling: ", section.indicator().display_name());
  std::string out = absl::StrFormat(
      "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" "
      "aria-labelledby=\"%s-title %s-desc\">\n",
      static_cast<int>(kWidth), static_cast<int>(kHeight), EscapeHtml(id),
      EscapeHtml(id));
  absl::StrAppend(&out, "<title id=\"", EscapeHtml(id), "-title\">",
                  EscapeHtml(title), "</title>\n<desc id=\"", EscapeHtml(id),
                  "-desc\">", EscapeHtml(ChartDescription(section)),
                  "</desc>\n");
  AppendAxes(plot, section.indicator().unit(), out);
  AppendMarkers(plot, section, out);
  AppendSeries(plot, out);
  AppendLegend(plot, section, out);
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

}  // namespace kommune::followup
