#ifndef KOMMUNE_SERVICES_FOLLOWUP_REPORT_TEST_DATA_H_
#define KOMMUNE_SERVICES_FOLLOWUP_REPORT_TEST_DATA_H_

// A small policy with indicators of several kinds, shared by the report
// tests (builder, Markdown, HTML and the browser test).

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "kommune/policy/v1/policy.pb.h"
#include "services/followup/periods.h"
#include "services/followup/report_builder.h"

namespace kommune::followup::testdata {

inline constexpr char kPolicyName[] =
    "municipalities/169/policies/integrationspolitik";

inline common::v1::Date Date(int y, int m, int d) {
  return ToDate(absl::CivilDay(y, m, d));
}

inline void AddCriterion(
    google::protobuf::RepeatedPtrField<policy::v1::SuccessCriterion>* list,
    const std::string& id, const std::string& text) {
  policy::v1::SuccessCriterion* c = list->Add();
  c->set_id(id);
  c->set_text(text);
}

// Two focus areas with indicators and one without: "beskaeftigelse" holds
// crit-job (its own) and crit-ivaerks (a strategy's); "boern" holds
// crit-uddannelse (an action item's); "kultur" holds crit-kultur.
inline policy::v1::Policy MakePolicy() {
  policy::v1::Policy policy;
  policy.set_name(kPolicyName);
  policy.set_display_name("Integrationspolitik 2009–2012");
  policy::v1::FocusArea* job = policy.mutable_content()->add_focus_areas();
  job->set_id("beskaeftigelse");
  job->set_title("Beskæftigelse & uddannelse");
  AddCriterion(job->mutable_success_criteria(), "crit-job",
               "Flere indvandrere og efterkommere i job");
  policy::v1::Strategy* strategy = job->add_strategies();
  strategy->set_id("strategi-1");
  AddCriterion(strategy->mutable_success_criteria(), "crit-ivaerks",
               "Flere etniske iværksættere");
  policy::v1::FocusArea* kultur = policy.mutable_content()->add_focus_areas();
  kultur->set_id("kultur");
  kultur->set_title("Kultur og fritid");
  AddCriterion(kultur->mutable_success_criteria(), "crit-kultur",
               "Flere i foreningslivet");
  policy::v1::FocusArea* boern = policy.mutable_content()->add_focus_areas();
  boern->set_id("boern");
  boern->set_title("Børn og unge");
  policy::v1::ActionItem* item = boern->add_action_items();
  item->set_id("handling-1");
  AddCriterion(item->mutable_success_criteria(), "crit-uddannelse",
               "Lige så mange unge med ungdomsuddannelse som i resten af "
               "kommunen");
  return policy;
}

inline MeasurementPoint Point(const std::string& period,
                              v1::ReportingPeriod kind, double value,
                              v1::Series series = v1::SERIES_TARGET_GROUP) {
  MeasurementPoint p;
  p.period = *ParsePeriod(period, kind);
  p.series = series;
  p.value = value;
  return p;
}

inline IndicatorData Indicator(const std::string& id,
                               const std::string& display_name,
                               v1::IndicatorKind kind,
                               v1::MeasureType measure_type,
                               const std::vector<std::string>& criteria,
                               v1::Status status) {
  IndicatorData d;
  d.indicator.set_name("municipalities/169/indicators/" + id);
  d.indicator.set_display_name(display_name);
  d.indicator.set_kind(kind);
  d.indicator.set_measure_type(measure_type);
  d.indicator.set_reporting_period(v1::REPORTING_PERIOD_YEAR);
  for (const std::string& c : criteria) {
    v1::CriterionReference* ref = d.indicator.add_criteria();
    ref->set_policy_name(kPolicyName);
    ref->set_criterion_id(c);
  }
  d.status.set_indicator_name(d.indicator.name());
  d.status.set_status(status);
  return d;
}

// Employment share (outcome, on track), entrepreneurs (activity, at risk,
// measuring two criteria) and education parity (outcome, off track).
inline std::vector<IndicatorData> MakeIndicators() {
  std::vector<IndicatorData> out;

  IndicatorData share =
      Indicator("beskaeftigelse", "Beskæftigelsesfrekvens for indvandrere",
                v1::INDICATOR_KIND_SHARE_AT_LEAST, v1::MEASURE_TYPE_OUTCOME,
                {"crit-job"}, v1::STATUS_ON_TRACK);
  share.indicator.set_unit("%");
  share.indicator.mutable_target()->set_value(60);
  *share.indicator.mutable_target()->mutable_deadline() = Date(2012, 12, 31);
  share.indicator.set_data_source("Danmarks Statistik, RAS200");
  share.indicator.mutable_owner_committee()->set_display_name(
      "Beskæftigelsesudvalget");
  for (auto [year, value] : std::vector<std::pair<std::string, double>>{
           {"2007", 46.2}, {"2008", 48}, {"2009", 51.5}, {"2010", 55}}) {
    share.points.push_back(Point(year, v1::REPORTING_PERIOD_YEAR, value));
  }
  share.status.set_latest_period("2009");
  share.status.set_latest_value(51.5);
  share.status.set_target_value(60);
  share.status.set_trend(v1::TREND_IMPROVING);
  share.status.set_has_forecast(true);
  share.status.set_forecast_value(61.4);
  share.status.set_explanation(
      "Andelen stiger og når målet inden fristen, hvis udviklingen holder.");
  out.push_back(share);

  IndicatorData count =
      Indicator("iværksættere", "Etniske iværksættere etableret",
                v1::INDICATOR_KIND_COUNT_BY_DEADLINE, v1::MEASURE_TYPE_ACTIVITY,
                {"crit-ivaerks", "crit-job"}, v1::STATUS_AT_RISK);
  count.indicator.set_unit("iværksættere");
  count.indicator.set_reporting_period(v1::REPORTING_PERIOD_QUARTER);
  count.indicator.mutable_target()->set_value(30);
  *count.indicator.mutable_target()->mutable_deadline() = Date(2010, 12, 31);
  count.indicator.set_data_source("Erhvervsservice");
  for (auto [quarter, value] : std::vector<std::pair<std::string, double>>{
           {"2009-Q1", 4}, {"2009-Q2", 7}, {"2009-Q3", 11}, {"2009-Q4", 13}}) {
    count.points.push_back(Point(quarter, v1::REPORTING_PERIOD_QUARTER, value));
  }
  count.status.set_latest_period("2009-Q4");
  count.status.set_latest_value(13);
  count.status.set_target_value(30);
  count.status.set_trend(v1::TREND_IMPROVING);
  count.status.set_has_forecast(true);
  count.status.set_forecast_value(26);
  count.status.set_explanation(
      "Tallet stiger, men prognosen når 26 af 30 ved fristen.");
  out.push_back(count);

  IndicatorData parity = Indicator(
      "uddannelse", "Unge med ungdomsuddannelse", v1::INDICATOR_KIND_PARITY,
      v1::MEASURE_TYPE_OUTCOME, {"crit-uddannelse"}, v1::STATUS_OFF_TRACK);
  parity.indicator.set_unit("%");
  parity.indicator.mutable_target()->set_parity_bound(
      v1::PARITY_BOUND_WITHIN_TOLERANCE);
  parity.indicator.mutable_target()->set_tolerance(2.5);
  *parity.indicator.mutable_target()->mutable_deadline() = Date(2012, 12, 31);
  parity.indicator.set_data_source("UNI-C");
  for (auto [year, target, reference] :
       std::vector<std::tuple<std::string, double, double>>{
           {"2006", 58, 80},
           {"2007", 57.5, 81},
           {"2008", 56, 82.5},
           {"2009", 55.25, 83}}) {
    // Reference first, to show that the builder orders the groups.
    parity.points.push_back(Point(year, v1::REPORTING_PERIOD_YEAR, reference,
                                  v1::SERIES_REFERENCE_GROUP));
    parity.points.push_back(Point(year, v1::REPORTING_PERIOD_YEAR, target));
  }
  parity.status.set_latest_period("2009");
  parity.status.set_latest_value(55.25);
  parity.status.set_latest_reference_value(83);
  parity.status.set_trend(v1::TREND_WORSENING);
  parity.status.set_explanation(
      "Forskellen til resten af kommunen er vokset til 27,75 procentpoint.");
  out.push_back(parity);
  return out;
}

inline absl::CivilDay AsOf() { return absl::CivilDay(2009, 12, 31); }

}  // namespace kommune::followup::testdata

#endif  // KOMMUNE_SERVICES_FOLLOWUP_REPORT_TEST_DATA_H_
