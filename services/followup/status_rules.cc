#include "services/followup/status_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/followup/periods.h"
#include "services/followup/report_text.h"

namespace kommune::followup {
namespace {

// Values equal within rounding count as equal: 0.3 must meet "down 90 %
// from 3", which is 0.29999999999999993 in binary. A billionth of the
// target (at least of 1).
double Slack(double target) { return 1e-9 * std::max(1.0, std::abs(target)); }

// A difference turned so that positive is better.
double Good(double delta, bool lower_is_better) {
  return lower_is_better ? -delta : delta;
}

bool Meets(double value, double target, bool lower_is_better) {
  return Good(value - target, lower_is_better) >= -Slack(target);
}

double FiniteOr(double value, double fallback) {
  return std::isfinite(value) ? value : fallback;
}

// A number as Danes write it: decimal comma, thousands point, at most one
// decimal (reports show counts and percentages, not measurement noise).
std::string Num(double value) {
  if (!std::isfinite(value)) return "?";
  // Beyond 1e15 a double has no decimals left, and digit groups of a
  // 300-digit number help nobody.
  if (std::abs(value) >= 1e15) return absl::StrFormat("%g", value);
  double rounded = std::round(value * 10) / 10;
  if (rounded == 0) rounded = 0;  // never "-0"
  std::string text = std::abs(rounded - std::round(rounded)) < 1e-9
                         ? absl::StrFormat("%.0f", rounded)
                         : absl::StrFormat("%.1f", rounded);
  const size_t point = text.find('.');
  if (point != std::string::npos) text[point] = ',';
  const int64_t int_end =
      static_cast<int64_t>(point == std::string::npos ? text.size() : point);
  const int64_t first_digit = text[0] == '-' ? 1 : 0;
  for (int64_t at = int_end - 3; at > first_digit; at -= 3) {
    text.insert(static_cast<size_t>(at), ".");
  }
  return text;
}

std::string WithUnit(double value, absl::string_view unit) {
  if (unit.empty()) return Num(value);
  return absl::StrCat(Num(value), " ", unit);
}

std::string DanishDate(absl::CivilDay day) {
  return absl::StrFormat("%d.%d.%d", day.day(), day.month(), day.year());
}

// Explanations are assembled from parts; the first letter of the sentence is
// raised here (ASCII is enough: every part starts with a digit or a-z).
std::string Sentence(std::string text) {
  if (!text.empty()) text[0] = absl::ascii_toupper(text[0]);
  return text;
}

// One current value of a series, oldest first after Gather.
struct Entry {
  Period period;
  double value = 0;
  v1::Status assessed_status = v1::STATUS_UNSPECIFIED;
  std::string note;
};

// What every rule reads, gathered once.
struct Inputs {
  absl::CivilDay as_of;
  v1::ReportingPeriod reporting_period = v1::REPORTING_PERIOD_UNSPECIFIED;
  Period as_of_period;
  // The last day that counts; for rate per period the follow-up period's
  // end when the target has no deadline.
  std::optional<absl::CivilDay> deadline;
  Period deadline_period;  // meaningful with a deadline
  std::vector<Entry> target;
  std::vector<Entry> reference;
  std::string unit;
  bool lower_is_better = false;
};

bool DeadlinePassed(const Inputs& in) {
  return in.deadline.has_value() && in.as_of > *in.deadline;
}

std::optional<absl::CivilDay> DayOf(const common::v1::Date& date) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) {
    return std::nullopt;
  }
  absl::StatusOr<absl::CivilDay> day = ToCivilDay(date, "date");
  if (!day.ok()) return std::nullopt;
  return *day;
}

// One entry per period of one series; a later point for the same period
// wins (the caller passes current values, so this is only a safeguard).
std::vector<Entry> Collect(const std::vector<MeasurementPoint>& points,
                           bool reference, absl::CivilDay as_of,
                           bool need_finite) {
  std::map<int64_t, Entry> by_index;
  for (const MeasurementPoint& p : points) {
    if ((p.series == v1::SERIES_REFERENCE_GROUP) != reference) continue;
    if (p.period.first_day > as_of) continue;
    if (need_finite && !std::isfinite(p.value)) continue;
    Entry entry;
    entry.period = p.period;
    entry.value = std::isfinite(p.value) ? p.value : 0;
    entry.assessed_status = p.assessed_status;
    entry.note = p.note;
    by_index[p.period.index] = std::move(entry);
  }
  std::vector<Entry> out;
  out.reserve(by_index.size());
  for (auto& [index, entry] : by_index) out.push_back(std::move(entry));
  return out;
}

Inputs Gather(const v1::Indicator& indicator,
              const std::vector<MeasurementPoint>& points,
              absl::CivilDay as_of) {
  Inputs in;
  in.as_of = as_of;
  in.reporting_period = indicator.reporting_period();
  in.as_of_period = PeriodContaining(as_of, in.reporting_period);
  if (indicator.target().has_deadline()) {
    in.deadline = DayOf(indicator.target().deadline());
  }
  if (!in.deadline && indicator.kind() == v1::INDICATOR_KIND_RATE_PER_PERIOD &&
      indicator.follow_up_period().has_end_date()) {
    in.deadline = DayOf(indicator.follow_up_period().end_date());
  }
  if (in.deadline) {
    in.deadline_period = PeriodContaining(*in.deadline, in.reporting_period);
  }
  const bool numeric = indicator.kind() != v1::INDICATOR_KIND_QUALITATIVE;
  in.target = Collect(points, /*reference=*/false, as_of, numeric);
  in.reference = Collect(points, /*reference=*/true, as_of, numeric);
  in.unit = indicator.unit();
  in.lower_is_better = indicator.direction() == v1::DIRECTION_LOWER_IS_BETTER;
  return in;
}

std::vector<SeriesValue> AsSeries(const std::vector<Entry>& entries) {
  std::vector<SeriesValue> out;
  out.reserve(entries.size());
  for (const Entry& e : entries) out.push_back({e.period.index, e.value});
  return out;
}

double StableBand(double start, double target) {
  const double way = std::abs(target - start);
  return kStableBandShareOfWay * (way > 0 ? way : std::abs(target));
}

// ---------------------------------------------------------------------------
// The shared rule of the kinds that judge one value against a target: count
// by deadline, share at least, relative change, parity and milestone.

// A series reduced to "at least / at most `target`".
struct Track {
  // The values the line goes through: target-group values, running totals
  // or, for parity, target minus reference per period.
  std::vector<Entry> raw;
  // Parity within tolerance judges the size of the gap, not its sign.
  bool absolute = false;
  double target = 0;
  bool lower_is_better = false;
  // Where the way to the target starts (progress 0), in judged terms.
  double start = 0;
  // Done or not: no forecast (a line through zeros and ones says nothing).
  bool milestone = false;
};

double JudgedValue(const Track& t, double raw) {
  return t.absolute ? std::abs(raw) : raw;
}

enum class Outcome {
  kNoData,
  kAchieved,            // met now, deadline ahead or none
  kAchievedAtDeadline,  // met by the value at the deadline
  kMissed,
  kMissedNoValue,  // deadline passed, no value from before it
  kOnTrack,        // forecast meets the target
  kAtRisk,         // forecast covers at least half the remaining way
  kOffTrack,       // forecast covers less than half
  kMovingAway,     // the line heads away from the target
  kOneValue,       // one value, no line to draw
  kTowards,        // no deadline, the line heads for the target
  kAway,           // no deadline, it does not
  kMilestoneOpen,  // not done, the deadline's period not reached yet
  kMilestoneDue,   // not done, in the deadline's period
};

struct Verdict {
  Outcome outcome = Outcome::kNoData;
  v1::Status status = v1::STATUS_NO_DATA;
  const Entry* judged = nullptr;   // the value the status rests on
  const Entry* late = nullptr;     // first value after the deadline that met
  std::optional<double> forecast;  // the line at the deadline, raw terms
  double progress = 0;
  v1::Trend trend = v1::TREND_UNSPECIFIED;
};

double Progress(const Track& t, const Entry* judged) {
  if (judged == nullptr) return 0;
  const double value = JudgedValue(t, judged->value);
  if (Meets(value, t.target, t.lower_is_better)) return 100;
  const double way = Good(t.target - t.start, t.lower_is_better);
  // A start at or past the target leaves no way to measure along.
  if (!(way > 0)) return 0;
  const double share = Good(value - t.start, t.lower_is_better) / way * 100;
  // Written out rather than std::clamp, which would keep a -0.
  if (!std::isfinite(share) || share <= 0) return 0;
  return std::min(share, 100.0);
}

// Whether the line through the values moves towards the target: its value
// one period after the latest against its value at the latest, in judged
// terms (for parity within tolerance, the size of the gap shrinks).
bool HeadsTowards(const Track& t) {
  const std::vector<SeriesValue> series = AsSeries(t.raw);
  const int64_t last = t.raw.back().period.index;
  const std::optional<double> here = LeastSquaresAt(series, last);
  const std::optional<double> next = LeastSquaresAt(series, last + 1);
  return here && next &&
         Good(JudgedValue(t, *next) - JudgedValue(t, *here),
              t.lower_is_better) > Slack(t.target);
}

Verdict Judge(const Track& t, const Inputs& in) {
  Verdict v;
  if (t.raw.empty()) return v;
  std::vector<double> values;
  for (const Entry& e : t.raw) values.push_back(JudgedValue(t, e.value));
  v.trend = TrendOf(values, StableBand(t.start, t.target), t.lower_is_better);
  auto meets = [&t](double judged) {
    return Meets(judged, t.target, t.lower_is_better);
  };

  if (DeadlinePassed(in)) {
    // Judged by the value at the deadline: the last one of a period up to
    // and including the deadline's period. A later value does not count.
    for (const Entry& e : t.raw) {
      if (e.period.index <= in.deadline_period.index) {
        v.judged = &e;
      } else if (v.late == nullptr && meets(JudgedValue(t, e.value))) {
        v.late = &e;
      }
    }
    if (v.judged == nullptr) {
      v.outcome = Outcome::kMissedNoValue;
      v.status = v1::STATUS_MISSED;
    } else if (meets(JudgedValue(t, v.judged->value))) {
      v.outcome = Outcome::kAchievedAtDeadline;
      v.status = v1::STATUS_ACHIEVED;
      v.late = nullptr;
    } else {
      v.outcome = Outcome::kMissed;
      v.status = v1::STATUS_MISSED;
    }
    v.progress = Progress(t, v.judged);
    return v;
  }

  // Deadline ahead (or none): the latest value decides whether the target
  // is met now; met earlier and lost since is not met.
  v.judged = &t.raw.back();
  const double now = JudgedValue(t, v.judged->value);
  if (in.deadline && !t.milestone) {
    v.forecast = LeastSquaresAt(AsSeries(t.raw), in.deadline_period.index);
  }
  if (meets(now)) {
    v.outcome = Outcome::kAchieved;
    v.status = v1::STATUS_ACHIEVED;
  } else if (t.milestone) {
    const bool due =
        in.deadline && in.as_of_period.index >= in.deadline_period.index;
    v.outcome = due ? Outcome::kMilestoneDue : Outcome::kMilestoneOpen;
    v.status = due ? v1::STATUS_AT_RISK : v1::STATUS_ON_TRACK;
  } else if (t.raw.size() < 2) {
    v.outcome = Outcome::kOneValue;
    v.status = v1::STATUS_AT_RISK;
  } else if (!HeadsTowards(t)) {
    // Moving away (or standing still) never gets there, whatever a
    // scattered line happens to give at the deadline.
    v.outcome = v.forecast ? Outcome::kMovingAway : Outcome::kAway;
    v.status = v1::STATUS_OFF_TRACK;
  } else if (v.forecast) {
    const double forecast = JudgedValue(t, *v.forecast);
    // Not met, so the remaining way is positive.
    const double share = Good(forecast - now, t.lower_is_better) /
                         Good(t.target - now, t.lower_is_better);
    if (meets(forecast)) {
      v.outcome = Outcome::kOnTrack;
      v.status = v1::STATUS_ON_TRACK;
    } else if (share >= kAtRiskShareOfRemainingWay) {
      v.outcome = Outcome::kAtRisk;
      v.status = v1::STATUS_AT_RISK;
    } else {
      v.outcome = Outcome::kOffTrack;
      v.status = v1::STATUS_OFF_TRACK;
    }
  } else {
    // No deadline: any pace towards the target gets there.
    v.outcome = Outcome::kTowards;
    v.status = v1::STATUS_ON_TRACK;
  }
  v.progress = Progress(t, v.judged);
  return v;
}

// How a kind words its numbers in the explanation.
struct Texts {
  std::string goal;                                // "mindst 40 iværksættere"
  std::function<std::string(const Entry&)> value;  // "42 iværksættere i 2009"
  std::function<std::string(double)> forecast;     // raw forecast
  std::string no_data = "der er ingen målinger endnu.";
};

std::string Explain(const Verdict& v, const Texts& x, const Inputs& in) {
  const std::string deadline = in.deadline ? DanishDate(*in.deadline) : "";
  const std::string goal = absl::StrCat("målet (", x.goal, ")");
  switch (v.outcome) {
    case Outcome::kNoData:
      return Sentence(x.no_data);
    case Outcome::kAchieved:
      return Sentence(
          absl::StrCat(goal, " er nået: ", x.value(*v.judged), "."));
    case Outcome::kAchievedAtDeadline:
      return Sentence(absl::StrCat(goal, " blev nået ved fristen ", deadline,
                                   ": ", x.value(*v.judged), "."));
    case Outcome::kMissed:
      return Sentence(absl::StrCat(
          goal, " blev ikke nået ved fristen ", deadline, ": ",
          x.value(*v.judged),
          v.late == nullptr
              ? ""
              : absl::StrCat("; det blev først nået i ", v.late->period.key,
                             ", efter fristen, og det tæller ikke"),
          "."));
    case Outcome::kMissedNoValue:
      return Sentence(absl::StrCat("fristen ", deadline,
                                   " er passeret uden en måling fra før "
                                   "fristen, så ",
                                   goal, " er ikke nået."));
    case Outcome::kOnTrack:
      return Sentence(absl::StrCat(x.value(*v.judged),
                                   "; med den nuværende udvikling forventes ",
                                   x.forecast(*v.forecast), " ved fristen ",
                                   deadline, ", så ", goal, " nås."));
    case Outcome::kAtRisk:
      return Sentence(absl::StrCat(x.value(*v.judged),
                                   "; med den nuværende udvikling forventes ",
                                   x.forecast(*v.forecast), " ved fristen ",
                                   deadline, ", lidt fra ", goal, "."));
    case Outcome::kOffTrack:
      return Sentence(absl::StrCat(
          x.value(*v.judged), "; med den nuværende udvikling forventes ",
          x.forecast(*v.forecast), " ved fristen ", deadline, ", og ", goal,
          " nås ikke i det tempo."));
    case Outcome::kMovingAway:
      return Sentence(absl::StrCat(x.value(*v.judged),
                                   ", og udviklingen går ikke mod ", goal,
                                   " med fristen ", deadline, "."));
    case Outcome::kOneValue:
      return Sentence(absl::StrCat(x.value(*v.judged), ", endnu ikke ", goal,
                                   ", og én måling er for lidt til en "
                                   "prognose."));
    case Outcome::kTowards:
      return Sentence(
          absl::StrCat(x.value(*v.judged), ", og udviklingen går mod ", goal,
                       in.deadline ? "" : ", som ikke har nogen frist", "."));
    case Outcome::kAway:
      return Sentence(absl::StrCat(
          x.value(*v.judged), ", og udviklingen går ikke mod ", goal,
          in.deadline ? "" : ", som ikke har nogen frist", "."));
    case Outcome::kMilestoneOpen:
      return Sentence(absl::StrCat(
          x.value(*v.judged),
          in.deadline ? absl::StrCat(", men der er tid til fristen ", deadline)
                      : ", og milepælen har ingen frist",
          "."));
    case Outcome::kMilestoneDue:
      return Sentence(absl::StrCat(x.value(*v.judged), ", og fristen ",
                                   deadline,
                                   " falder i den indeværende periode."));
  }
  return "";
}

double StartOf(const v1::Indicator& indicator, const Track& t) {
  if (indicator.has_baseline()) {
    return FiniteOr(indicator.baseline().value(), 0);
  }
  // From zero up; going down, zero is past any target, so start at the
  // first value instead.
  if (t.lower_is_better && !t.raw.empty()) {
    return JudgedValue(t, t.raw.front().value);
  }
  return 0;
}

std::string AtLeastOrMost(bool lower_is_better) {
  return lower_is_better ? "højst " : "mindst ";
}

void FillFromVerdict(const Verdict& v, const Texts& texts, const Inputs& in,
                     v1::IndicatorStatus* out) {
  out->set_status(v.status);
  out->set_progress_percent(v.progress);
  out->set_trend(v.trend);
  out->set_has_forecast(v.forecast.has_value());
  out->set_forecast_value(v.forecast.value_or(0));
  out->set_explanation(Explain(v, texts, in));
}

void SetLatest(const Entry& e, v1::IndicatorStatus* out) {
  out->set_latest_period(e.period.key);
  out->set_latest_value(e.value);
}

// Count by deadline (level or sum) and share at least.
void EvaluateLevel(const v1::Indicator& indicator, const Inputs& in,
                   v1::IndicatorStatus* out) {
  const bool sum = indicator.kind() == v1::INDICATOR_KIND_COUNT_BY_DEADLINE &&
                   indicator.aggregation() == v1::AGGREGATION_SUM;
  Track t;
  t.raw = in.target;
  if (sum) {
    // Each value is the period's own amount; progress is the running total.
    double total = 0;
    for (Entry& e : t.raw) {
      total += e.value;
      e.value = total;
    }
  }
  t.target = FiniteOr(indicator.target().value(), 0);
  t.lower_is_better = in.lower_is_better;
  t.start = StartOf(indicator, t);
  const Verdict v = Judge(t, in);

  Texts texts;
  texts.goal = AtLeastOrMost(t.lower_is_better) + WithUnit(t.target, in.unit);
  const std::string unit = in.unit;
  texts.value = [unit, sum](const Entry& e) {
    return sum ? absl::StrCat(WithUnit(e.value, unit), " i alt til og med ",
                              e.period.key)
               : absl::StrCat(WithUnit(e.value, unit), " i ", e.period.key);
  };
  texts.forecast = [unit, sum](double f) {
    return sum ? absl::StrCat(WithUnit(f, unit), " i alt") : WithUnit(f, unit);
  };
  FillFromVerdict(v, texts, in, out);
  out->set_target_value(t.target);
  if (!t.raw.empty()) SetLatest(t.raw.back(), out);
}

void EvaluateRelativeChange(const v1::Indicator& indicator, const Inputs& in,
                            v1::IndicatorStatus* out) {
  out->set_status(v1::STATUS_NO_DATA);
  if (!in.target.empty()) SetLatest(in.target.back(), out);
  if (!indicator.has_baseline()) {
    // Required by the contract; without it there is no target to judge by.
    out->set_explanation(
        "Indikatoren har intet udgangspunkt, så målet for den relative "
        "ændring kan ikke beregnes.");
    return;
  }
  const double baseline = FiniteOr(indicator.baseline().value(), 0);
  const double change =
      std::max(-1.0, FiniteOr(indicator.target().relative_change(), 0));
  Track t;
  t.raw = in.target;
  t.target = baseline * (1 + change);
  // An explicit direction wins ("rise at most 10 %" is +0.1, lower is
  // better); without one, the sign of the change says which way is good.
  switch (indicator.direction()) {
    case v1::DIRECTION_LOWER_IS_BETTER:
      t.lower_is_better = true;
      break;
    case v1::DIRECTION_HIGHER_IS_BETTER:
      t.lower_is_better = false;
      break;
    default:
      t.lower_is_better = change < 0;
      break;
  }
  t.start = baseline;
  const Verdict v = Judge(t, in);

  Texts texts;
  const std::string unit = in.unit;
  texts.goal =
      absl::StrCat(AtLeastOrMost(t.lower_is_better), WithUnit(t.target, unit),
                   ", udgangspunktet ", WithUnit(baseline, unit),
                   " ændret med ", Num(change * 100), " %");
  texts.value = [unit](const Entry& e) {
    return absl::StrCat(WithUnit(e.value, unit), " i ", e.period.key);
  };
  texts.forecast = [unit](double f) { return WithUnit(f, unit); };
  FillFromVerdict(v, texts, in, out);
  out->set_target_value(t.target);
  if (!t.raw.empty()) SetLatest(t.raw.back(), out);
}

std::string GapUnit(absl::string_view unit) {
  // A difference of percentages is in percentage points.
  return unit == "%" ? "procentpoint" : std::string(unit);
}

std::string GapText(double gap, absl::string_view unit) {
  if (std::abs(gap) < 0.05) return "ingen forskel til sammenligningsgruppen";
  return absl::StrCat("en forskel på ", WithUnit(std::abs(gap), GapUnit(unit)),
                      gap > 0 ? " over" : " under", " sammenligningsgruppen");
}

void EvaluateParity(const v1::Indicator& indicator, const Inputs& in,
                    v1::IndicatorStatus* out) {
  struct Pair {
    double target_group;
    double reference_group;
  };
  // Only periods with both values can be compared.
  std::map<int64_t, double> reference;
  for (const Entry& e : in.reference) reference[e.period.index] = e.value;
  Track t;
  std::vector<Pair> pairs;
  for (const Entry& e : in.target) {
    auto it = reference.find(e.period.index);
    if (it == reference.end()) continue;
    Entry gap = e;
    gap.value = e.value - it->second;
    t.raw.push_back(gap);
    pairs.push_back({e.value, it->second});
  }
  const double tolerance =
      std::max(0.0, FiniteOr(indicator.target().tolerance(), 0));
  const v1::ParityBound bound = indicator.target().parity_bound();
  switch (bound) {
    case v1::PARITY_BOUND_UPPER:  // gap <= tolerance
      t.target = tolerance;
      t.lower_is_better = true;
      break;
    case v1::PARITY_BOUND_LOWER:  // gap >= -tolerance
      t.target = -tolerance;
      t.lower_is_better = false;
      break;
    default:  // |gap| <= tolerance
      t.absolute = true;
      t.target = tolerance;
      t.lower_is_better = true;
      break;
  }
  // The baseline has no reference value, so the way starts at the first
  // compared period's gap.
  if (!t.raw.empty()) t.start = JudgedValue(t, t.raw.front().value);
  Verdict v = Judge(t, in);

  const std::string unit = in.unit;
  Texts texts;
  const std::string gap_unit = GapUnit(unit);
  switch (bound) {
    case v1::PARITY_BOUND_UPPER:
      texts.goal = tolerance == 0
                       ? "ikke over sammenligningsgruppen"
                       : absl::StrCat("højst ", WithUnit(tolerance, gap_unit),
                                      " over sammenligningsgruppen");
      break;
    case v1::PARITY_BOUND_LOWER:
      texts.goal = tolerance == 0
                       ? "ikke under sammenligningsgruppen"
                       : absl::StrCat("højst ", WithUnit(tolerance, gap_unit),
                                      " under sammenligningsgruppen");
      break;
    default:
      texts.goal = tolerance == 0
                       ? "på niveau med sammenligningsgruppen"
                       : absl::StrCat("højst ", WithUnit(tolerance, gap_unit),
                                      " fra sammenligningsgruppen");
      break;
  }
  const Entry* first = t.raw.empty() ? nullptr : t.raw.data();
  texts.value = [first, &pairs, unit](const Entry& e) {
    const Pair& p = pairs[static_cast<size_t>(&e - first)];
    return absl::StrCat("målgruppen lå på ", WithUnit(p.target_group, unit),
                        " mod ", WithUnit(p.reference_group, unit),
                        " i sammenligningsgruppen i ", e.period.key);
  };
  texts.forecast = [unit](double gap) { return GapText(gap, unit); };
  texts.no_data =
      "der er ingen periode med værdier for både målgruppen og "
      "sammenligningsgruppen.";
  const bool gap_forecast = v.forecast.has_value();
  FillFromVerdict(v, texts, in, out);

  // The reported forecast is the target group's own line, comparable with
  // latest_value; the status above used the line of the gap.
  std::optional<double> target_group_forecast;
  if (gap_forecast) {
    target_group_forecast =
        LeastSquaresAt(AsSeries(in.target), in.deadline_period.index);
  }
  out->set_has_forecast(target_group_forecast.has_value());
  out->set_forecast_value(target_group_forecast.value_or(0));

  if (pairs.empty()) {
    if (!in.target.empty()) SetLatest(in.target.back(), out);
    return;
  }
  const Pair& last = pairs.back();
  out->set_latest_period(t.raw.back().period.key);
  out->set_latest_value(last.target_group);
  out->set_latest_reference_value(last.reference_group);
  switch (bound) {
    case v1::PARITY_BOUND_UPPER:
      out->set_target_value(last.reference_group + tolerance);
      break;
    case v1::PARITY_BOUND_LOWER:
      out->set_target_value(last.reference_group - tolerance);
      break;
    default:
      out->set_target_value(last.reference_group);
      break;
  }
}

void EvaluateMilestone(const Inputs& in, v1::IndicatorStatus* out) {
  Track t;
  t.raw = in.target;
  // 1 is done, 0 not; the latest value is the state (a 0 after a 1 means
  // it was reported undone).
  t.target = 1;
  t.start = 0;
  t.milestone = true;
  const Verdict v = Judge(t, in);
  Texts texts;
  texts.goal = "gennemført milepæl";
  texts.value = [](const Entry& e) {
    return absl::StrCat(Meets(e.value, 1, /*lower_is_better=*/false)
                            ? "milepælen var gennemført"
                            : "milepælen var ikke gennemført",
                        " i ", e.period.key);
  };
  texts.forecast = [](double) { return std::string(); };
  FillFromVerdict(v, texts, in, out);
  out->set_target_value(1);
  if (!t.raw.empty()) SetLatest(t.raw.back(), out);
}

std::string PerPeriod(v1::ReportingPeriod kind) {
  switch (kind) {
    case v1::REPORTING_PERIOD_MONTH:
      return "pr. måned";
    case v1::REPORTING_PERIOD_QUARTER:
      return "pr. kvartal";
    default:
      return "pr. år";
  }
}

void EvaluateRatePerPeriod(const v1::Indicator& indicator, const Inputs& in,
                           v1::IndicatorStatus* out) {
  const double target = FiniteOr(indicator.target().value(), 0);
  const bool lower = in.lower_is_better;
  out->set_target_value(target);
  if (!in.target.empty()) SetLatest(in.target.back(), out);
  const std::string goal =
      absl::StrCat("målet (", AtLeastOrMost(lower), WithUnit(target, in.unit),
                   " ", PerPeriod(in.reporting_period), ")");

  // Trend and forecast as for the other kinds, over the raw values.
  std::vector<double> values;
  for (const Entry& e : in.target) values.push_back(e.value);
  const double start = indicator.has_baseline()
                           ? FiniteOr(indicator.baseline().value(), 0)
                           : (lower && !values.empty() ? values.front() : 0);
  out->set_trend(TrendOf(values, StableBand(start, target), lower));
  const bool over = DeadlinePassed(in);
  if (!over && in.deadline) {
    const std::optional<double> forecast =
        LeastSquaresAt(AsSeries(in.target), in.deadline_period.index);
    out->set_has_forecast(forecast.has_value());
    out->set_forecast_value(forecast.value_or(0));
  }

  if (in.target.empty()) {
    out->set_status(v1::STATUS_NO_DATA);
    out->set_explanation("Der er ingen målinger endnu.");
    return;
  }

  // Every period from the follow-up period's start counts.
  Period first = in.target.front().period;
  if (std::optional<absl::CivilDay> day =
          DayOf(indicator.follow_up_period().start_date())) {
    first = PeriodContaining(*day, in.reporting_period);
  }
  std::optional<int64_t> end;  // the last period that counts
  if (in.deadline) end = std::max(in.deadline_period.index, first.index);
  // Periods that have ended are due; the one under way is judged only if
  // it already meets the target (a partial value is not a failure yet).
  int64_t last_due = over ? *end : in.as_of_period.index - 1;
  if (end) last_due = std::min(last_due, *end);
  // A guard against absurd ranges: 250 years of months.
  last_due = std::min(last_due, first.index + 3000);

  std::map<int64_t, const Entry*> by_index;
  for (const Entry& e : in.target) by_index[e.period.index] = &e;
  int met = 0;
  int failed_count = 0;
  std::vector<std::string> failed;  // the first few, for the explanation
  for (int64_t i = first.index; i <= last_due; ++i) {
    auto it = by_index.find(i);
    if (it != by_index.end() && Meets(it->second->value, target, lower)) {
      ++met;
      continue;
    }
    ++failed_count;
    if (failed.size() < 3) {
      failed.push_back(it == by_index.end()
                           ? absl::StrCat(PeriodAt(i, in.reporting_period).key,
                                          " (ingen måling)")
                           : absl::StrCat(it->second->period.key, " (",
                                          WithUnit(it->second->value, in.unit),
                                          ")"));
    }
  }
  const Entry* current = nullptr;
  if (!over && (!end || in.as_of_period.index <= *end)) {
    auto it = by_index.find(in.as_of_period.index);
    if (it != by_index.end()) current = it->second;
  }
  const bool current_below =
      current != nullptr && !Meets(current->value, target, lower);
  if (current != nullptr && !current_below) ++met;

  const int64_t periods =
      end ? *end - first.index + 1
          : std::max<int64_t>(1, in.as_of_period.index - first.index + 1);
  out->set_progress_percent(std::clamp(
      100.0 * met / static_cast<double>(std::max<int64_t>(1, periods)), 0.0,
      100.0));

  std::string failures = absl::StrJoin(failed, ", ");
  if (failed_count > static_cast<int>(failed.size())) {
    const int more = failed_count - static_cast<int>(failed.size());
    absl::StrAppend(&failures, " og ", more,
                    more == 1 ? " periode mere" : " perioder mere");
  }
  const std::string range =
      absl::StrCat("fra ", first.key, " til ",
                   end ? PeriodAt(*end, in.reporting_period).key : "nu");
  if (over) {
    if (failed_count == 0) {
      out->set_status(v1::STATUS_ACHIEVED);
      out->set_explanation(Sentence(absl::StrCat(
          goal, " blev nået i alle ", met, " perioder ", range, ".")));
    } else {
      out->set_status(v1::STATUS_MISSED);
      out->set_explanation(
          Sentence(absl::StrCat(goal, " blev ikke nået i alle perioder ", range,
                                ": ", failures, ".")));
    }
  } else if (failed_count > 0) {
    // A period that has ended below the rate cannot be made good again.
    out->set_status(v1::STATUS_OFF_TRACK);
    out->set_explanation(Sentence(absl::StrCat(
        goal, " er ikke nået i alle perioder indtil nu: ", failures, ".")));
  } else if (current_below) {
    out->set_status(v1::STATUS_AT_RISK);
    out->set_explanation(Sentence(absl::StrCat(
        "den igangværende periode ", current->period.key, " ligger på ",
        WithUnit(current->value, in.unit), ", endnu ikke ", goal, ".")));
  } else if (met > 0) {
    out->set_status(v1::STATUS_ACHIEVED);
    out->set_explanation(Sentence(absl::StrCat(
        goal, " er nået i alle ", met, " perioder indtil nu; seneste ",
        WithUnit(in.target.back().value, in.unit), " i ",
        in.target.back().period.key, ".")));
  } else {
    out->set_status(v1::STATUS_NO_DATA);
    out->set_explanation("Der er ingen målinger i opfølgningsperioden endnu.");
  }
}

int Rank(v1::Status status) {
  switch (status) {
    case v1::STATUS_ACHIEVED:
      return 4;
    case v1::STATUS_ON_TRACK:
      return 3;
    case v1::STATUS_AT_RISK:
      return 2;
    case v1::STATUS_OFF_TRACK:
      return 1;
    default:
      return 0;
  }
}

void EvaluateQualitative(const Inputs& in, v1::IndicatorStatus* out) {
  std::vector<const Entry*> assessments;
  for (const Entry& e : in.target) {
    if (e.assessed_status >= v1::STATUS_ACHIEVED &&
        e.assessed_status <= v1::STATUS_MISSED) {
      assessments.push_back(&e);
    }
  }
  if (assessments.empty()) {
    out->set_status(v1::STATUS_NO_DATA);
    out->set_explanation("Der er ingen vurdering endnu.");
    return;
  }
  const Entry& last = *assessments.back();
  out->set_status(last.assessed_status);
  out->set_latest_period(last.period.key);
  out->set_progress_percent(last.assessed_status == v1::STATUS_ACHIEVED ? 100
                                                                        : 0);
  if (assessments.size() >= 2) {
    const int before =
        Rank(assessments[assessments.size() - 2]->assessed_status);
    const int now = Rank(last.assessed_status);
    out->set_trend(now > before   ? v1::TREND_IMPROVING
                   : now < before ? v1::TREND_WORSENING
                                  : v1::TREND_STABLE);
  }
  // The note in one line, so the explanation stays one sentence of text.
  std::string note = absl::StrJoin(
      absl::StrSplit(last.note, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty()),
      " ");
  std::string text =
      absl::StrCat("Vurderet som ", report::StatusWord(last.assessed_status),
                   " for ", last.period.key);
  if (!note.empty()) absl::StrAppend(&text, ": ", note);
  if (text.back() != '.' && text.back() != '!' && text.back() != '?') {
    text.push_back('.');
  }
  out->set_explanation(text);
}

// Belt and braces: a report must never show NaN.
void ZeroNonFinite(v1::IndicatorStatus* out) {
  if (!std::isfinite(out->progress_percent())) out->set_progress_percent(0);
  if (!std::isfinite(out->latest_value())) out->set_latest_value(0);
  if (!std::isfinite(out->latest_reference_value())) {
    out->set_latest_reference_value(0);
  }
  if (!std::isfinite(out->target_value())) out->set_target_value(0);
  if (!std::isfinite(out->forecast_value())) {
    out->set_forecast_value(0);
    out->set_has_forecast(false);
  }
}

}  // namespace

std::optional<double> LeastSquaresAt(const std::vector<SeriesValue>& values,
                                     int64_t index) {
  if (values.size() < 2) return std::nullopt;
  // Indexes are large (months since year 0); measuring from the first keeps
  // the sums small and exact.
  const int64_t origin = values.front().index;
  const double n = static_cast<double>(values.size());
  double mean_x = 0;
  double mean_y = 0;
  for (const SeriesValue& v : values) {
    mean_x += static_cast<double>(v.index - origin);
    mean_y += v.value;
  }
  mean_x /= n;
  mean_y /= n;
  double sxx = 0;
  double sxy = 0;
  for (const SeriesValue& v : values) {
    const double dx = static_cast<double>(v.index - origin) - mean_x;
    sxx += dx * dx;
    sxy += dx * (v.value - mean_y);
  }
  if (!(sxx > 0)) return std::nullopt;  // every value in one period
  const double at =
      mean_y + sxy / sxx * (static_cast<double>(index - origin) - mean_x);
  if (!std::isfinite(at)) return std::nullopt;
  return at;
}

v1::Trend TrendOf(const std::vector<double>& values, double band,
                  bool lower_is_better) {
  if (values.size() < 2) return v1::TREND_UNSPECIFIED;
  const size_t window = std::min<size_t>(3, values.size());
  double before = 0;
  for (size_t i = values.size() - window; i + 1 < values.size(); ++i) {
    before += values[i];
  }
  before /= static_cast<double>(window - 1);
  const double change = values.back() - before;
  if (!std::isfinite(change)) return v1::TREND_UNSPECIFIED;
  if (std::abs(change) <= std::max(0.0, band) + Slack(values.back())) {
    return v1::TREND_STABLE;
  }
  return Good(change, lower_is_better) > 0 ? v1::TREND_IMPROVING
                                           : v1::TREND_WORSENING;
}

v1::IndicatorStatus EvaluateStatus(const v1::Indicator& indicator,
                                   const std::vector<MeasurementPoint>& points,
                                   absl::CivilDay as_of) {
  const Inputs in = Gather(indicator, points, as_of);
  v1::IndicatorStatus out;
  out.set_indicator_name(indicator.name());
  *out.mutable_as_of() = ToDate(as_of);
  out.set_status(v1::STATUS_NO_DATA);
  out.set_trend(v1::TREND_UNSPECIFIED);
  switch (indicator.kind()) {
    case v1::INDICATOR_KIND_COUNT_BY_DEADLINE:
    case v1::INDICATOR_KIND_SHARE_AT_LEAST:
      EvaluateLevel(indicator, in, &out);
      break;
    case v1::INDICATOR_KIND_RATE_PER_PERIOD:
      EvaluateRatePerPeriod(indicator, in, &out);
      break;
    case v1::INDICATOR_KIND_RELATIVE_CHANGE:
      EvaluateRelativeChange(indicator, in, &out);
      break;
    case v1::INDICATOR_KIND_PARITY:
      EvaluateParity(indicator, in, &out);
      break;
    case v1::INDICATOR_KIND_MILESTONE:
      EvaluateMilestone(in, &out);
      break;
    case v1::INDICATOR_KIND_QUALITATIVE:
      EvaluateQualitative(in, &out);
      break;
    default:
      out.set_explanation("Indikatoren har ingen gyldig type.");
      break;
  }
  ZeroNonFinite(&out);
  return out;
}

}  // namespace kommune::followup
