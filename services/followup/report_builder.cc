#include "services/followup/report_builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "services/followup/periods.h"
#include "services/followup/policy_criteria.h"

namespace kommune::followup {
namespace {

// Outcomes first, then by display name; the resource name breaks ties so
// that the order never depends on the input's.
bool ReportOrder(const IndicatorData* a, const IndicatorData* b) {
  using Key = std::tuple<bool, const std::string&, const std::string&>;
  auto key = [](const IndicatorData* d) {
    return Key(d->indicator.measure_type() != v1::MEASURE_TYPE_OUTCOME,
               d->indicator.display_name(), d->indicator.name());
  };
  return key(a) < key(b);
}

void Count(v1::Status status, v1::StatusCounts& counts) {
  counts.set_total(counts.total() + 1);
  switch (status) {
    case v1::STATUS_ACHIEVED:
      counts.set_achieved(counts.achieved() + 1);
      break;
    case v1::STATUS_ON_TRACK:
      counts.set_on_track(counts.on_track() + 1);
      break;
    case v1::STATUS_AT_RISK:
      counts.set_at_risk(counts.at_risk() + 1);
      break;
    case v1::STATUS_OFF_TRACK:
      counts.set_off_track(counts.off_track() + 1);
      break;
    case v1::STATUS_MISSED:
      counts.set_missed(counts.missed() + 1);
      break;
    default:
      // Unset means nobody could judge it: no data.
      counts.set_no_data(counts.no_data() + 1);
  }
}

void FillIndicator(const IndicatorData& data, absl::CivilDay as_of,
                   v1::IndicatorSection& out) {
  *out.mutable_indicator() = data.indicator;
  *out.mutable_status() = data.status;
  std::vector<const MeasurementPoint*> points;
  for (const MeasurementPoint& p : data.points) {
    if (p.period.first_day <= as_of) points.push_back(&p);
  }
  auto series = [](const MeasurementPoint* p) {
    return p->series == v1::SERIES_REFERENCE_GROUP ? 1 : 0;
  };
  std::stable_sort(points.begin(), points.end(),
                   [&](const MeasurementPoint* a, const MeasurementPoint* b) {
                     return std::make_pair(a->period.index, series(a)) <
                            std::make_pair(b->period.index, series(b));
                   });
  for (const MeasurementPoint* p : points) {
    v1::SeriesPoint* point = out.add_points();
    point->set_period(p->period.key);
    point->set_series(series(p) == 1 ? v1::SERIES_REFERENCE_GROUP
                                     : v1::SERIES_TARGET_GROUP);
    point->set_value(p->value);
  }
}

// Whether the reference points at `policy` (an empty policy name is taken
// to mean the policy reported on).
bool RefersTo(const v1::CriterionReference& ref,
              const policy::v1::Policy& policy) {
  return ref.policy_name().empty() || ref.policy_name() == policy.name();
}

}  // namespace

v1::FollowUpReport BuildFollowUpReport(
    const policy::v1::Policy& policy,
    const std::vector<IndicatorData>& indicators, absl::CivilDay as_of) {
  v1::FollowUpReport report;
  report.set_policy_name(policy.name());
  report.set_policy_title(policy.display_name());
  *report.mutable_as_of() = ToDate(as_of);

  std::vector<const IndicatorData*> sorted;
  for (const IndicatorData& data : indicators) sorted.push_back(&data);
  std::stable_sort(sorted.begin(), sorted.end(), ReportOrder);

  const std::vector<CriterionInfo> criteria = ListCriteria(policy);
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < criteria.size(); ++i) {
    position.emplace(criteria[i].criterion_id, i);
  }
  // Per criterion of the policy, its indicators in report order; the rest.
  std::vector<std::vector<const IndicatorData*>> measuring(criteria.size());
  std::vector<const IndicatorData*> others;
  for (const IndicatorData* data : sorted) {
    std::set<size_t> placed;
    for (const v1::CriterionReference& ref : data->indicator.criteria()) {
      if (!RefersTo(ref, policy)) continue;
      auto it = position.find(ref.criterion_id());
      if (it != position.end() && placed.insert(it->second).second) {
        measuring[it->second].push_back(data);
      }
    }
    if (placed.empty()) others.push_back(data);
  }

  // Focus areas in order of their first criterion with indicators; an
  // indicator counts once per area however many of its criteria it holds.
  std::map<std::string, v1::FocusAreaSection*> areas;
  std::map<v1::FocusAreaSection*, std::set<const IndicatorData*>> counted;
  for (size_t i = 0; i < criteria.size(); ++i) {
    if (measuring[i].empty()) continue;
    const CriterionInfo& info = criteria[i];
    v1::FocusAreaSection*& area = areas[info.focus_area_id];
    if (area == nullptr) {
      area = report.add_focus_areas();
      area->set_focus_area_id(info.focus_area_id);
      area->set_title(info.focus_area_title);
      area->mutable_counts()->set_key(info.focus_area_id);
      area->mutable_counts()->set_title(info.focus_area_title);
    }
    v1::CriterionSection* criterion = area->add_criteria();
    criterion->set_criterion_id(info.criterion_id);
    criterion->set_text(info.text);
    for (const IndicatorData* data : measuring[i]) {
      FillIndicator(*data, as_of, *criterion->add_indicators());
      if (counted[area].insert(data).second) {
        Count(data->status.status(), *area->mutable_counts());
      }
    }
  }

  if (!others.empty()) {
    v1::FocusAreaSection* area = report.add_focus_areas();
    area->set_title(kOtherIndicatorsTitle);
    area->mutable_counts()->set_title(kOtherIndicatorsTitle);
    // One subsection per criterion named, in the order first met, so the
    // reader sees what each indicator used to measure.
    std::map<std::string, v1::CriterionSection*> stale;
    for (const IndicatorData* data : others) {
      Count(data->status.status(), *area->mutable_counts());
      std::set<std::string> placed;
      for (const v1::CriterionReference& ref : data->indicator.criteria()) {
        if (!placed.insert(ref.criterion_id()).second) continue;
        v1::CriterionSection*& criterion = stale[ref.criterion_id()];
        if (criterion == nullptr) {
          criterion = area->add_criteria();
          criterion->set_criterion_id(ref.criterion_id());
          criterion->set_text(ref.criterion_text());
        }
        FillIndicator(*data, as_of, *criterion->add_indicators());
      }
      if (placed.empty()) {
        v1::CriterionSection*& criterion = stale[""];
        if (criterion == nullptr) criterion = area->add_criteria();
        FillIndicator(*data, as_of, *criterion->add_indicators());
      }
    }
  }

  v1::StatusCounts* totals = report.mutable_totals();
  totals->set_key(policy.name());
  totals->set_title(policy.display_name());
  for (const IndicatorData* data : sorted) {
    Count(data->status.status(), *totals);
  }
  return report;
}

}  // namespace kommune::followup
