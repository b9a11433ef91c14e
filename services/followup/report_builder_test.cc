// The follow-up report's structure: sections in policy order, outcomes
// first, counts, the leftover section and the series.
#include "services/followup/report_builder.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/followup/report_test_data.h"

namespace kommune::followup {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> AreaIds(const v1::FollowUpReport& report) {
  std::vector<std::string> ids;
  for (const auto& area : report.focus_areas()) {
    ids.push_back(area.focus_area_id());
  }
  return ids;
}

std::vector<std::string> CriterionIds(const v1::FocusAreaSection& area) {
  std::vector<std::string> ids;
  for (const auto& c : area.criteria()) ids.push_back(c.criterion_id());
  return ids;
}

std::vector<std::string> Names(const v1::CriterionSection& criterion) {
  std::vector<std::string> names;
  for (const auto& s : criterion.indicators()) {
    names.push_back(s.indicator().display_name());
  }
  return names;
}

std::vector<std::string> Points(const v1::IndicatorSection& section) {
  std::vector<std::string> out;
  for (const auto& p : section.points()) {
    out.push_back(p.period() +
                  (p.series() == v1::SERIES_REFERENCE_GROUP ? "R" : "T") +
                  std::to_string(static_cast<int>(p.value())));
  }
  return out;
}

TEST(BuildFollowUpReportTest, FillsTheHeaderAndLeavesStoredFieldsEmpty) {
  v1::FollowUpReport report = BuildFollowUpReport(
      testdata::MakePolicy(), testdata::MakeIndicators(), testdata::AsOf());
  EXPECT_EQ(report.policy_name(), testdata::kPolicyName);
  EXPECT_EQ(report.policy_title(), "Integrationspolitik 2009–2012");
  EXPECT_EQ(report.as_of().year(), 2009);
  EXPECT_EQ(report.as_of().month(), 12);
  EXPECT_EQ(report.as_of().day(), 31);
  EXPECT_THAT(report.name(), IsEmpty());
  EXPECT_EQ(report.state(), v1::REPORT_STATE_UNSPECIFIED);
}

TEST(BuildFollowUpReportTest, SectionsFollowThePolicyAndSkipAreasWithout) {
  v1::FollowUpReport report = BuildFollowUpReport(
      testdata::MakePolicy(), testdata::MakeIndicators(), testdata::AsOf());
  // "kultur" comes between them in the policy but has no indicators.
  EXPECT_THAT(AreaIds(report), ElementsAre("beskaeftigelse", "boern"));
  EXPECT_EQ(report.focus_areas(0).title(), "Beskæftigelse & uddannelse");
  EXPECT_THAT(CriterionIds(report.focus_areas(0)),
              ElementsAre("crit-job", "crit-ivaerks"));
  EXPECT_EQ(report.focus_areas(0).criteria(0).text(),
            "Flere indvandrere og efterkommere i job");
  EXPECT_THAT(CriterionIds(report.focus_areas(1)),
              ElementsAre("crit-uddannelse"));
}

TEST(BuildFollowUpReportTest, IndicatorOfTwoCriteriaAppearsUnderEach) {
  v1::FollowUpReport report = BuildFollowUpReport(
      testdata::MakePolicy(), testdata::MakeIndicators(), testdata::AsOf());
  const v1::FocusAreaSection& area = report.focus_areas(0);
  EXPECT_THAT(Names(area.criteria(0)),
              ElementsAre("Beskæftigelsesfrekvens for indvandrere",
                          "Etniske iværksættere etableret"));
  EXPECT_THAT(Names(area.criteria(1)),
              ElementsAre("Etniske iværksættere etableret"));
  // Counted once in the area although shown twice.
  EXPECT_EQ(area.counts().total(), 2);
  EXPECT_EQ(area.counts().on_track(), 1);
  EXPECT_EQ(area.counts().at_risk(), 1);
  EXPECT_EQ(area.counts().key(), "beskaeftigelse");
  EXPECT_EQ(area.counts().title(), "Beskæftigelse & uddannelse");
}

TEST(BuildFollowUpReportTest, OutcomesComeFirstThenByName) {
  std::vector<IndicatorData> indicators = testdata::MakeIndicators();
  indicators.push_back(testdata::Indicator(
      "a-aktivitet", "Aktivitet først i alfabetet",
      v1::INDICATOR_KIND_MILESTONE, v1::MEASURE_TYPE_ACTIVITY, {"crit-job"},
      v1::STATUS_ACHIEVED));
  indicators.push_back(testdata::Indicator(
      "z-resultat", "Zz-resultat sidst i alfabetet",
      v1::INDICATOR_KIND_SHARE_AT_LEAST, v1::MEASURE_TYPE_OUTCOME, {"crit-job"},
      v1::STATUS_MISSED));
  indicators.push_back(testdata::Indicator(
      "uden-type", "Bb uden type", v1::INDICATOR_KIND_MILESTONE,
      v1::MEASURE_TYPE_UNSPECIFIED, {"crit-job"}, v1::STATUS_NO_DATA));
  v1::FollowUpReport report =
      BuildFollowUpReport(testdata::MakePolicy(), indicators, testdata::AsOf());
  EXPECT_THAT(Names(report.focus_areas(0).criteria(0)),
              ElementsAre("Beskæftigelsesfrekvens for indvandrere",
                          "Zz-resultat sidst i alfabetet",
                          "Aktivitet først i alfabetet", "Bb uden type",
                          "Etniske iværksættere etableret"));
}

TEST(BuildFollowUpReportTest, CountsEachIndicatorOnceInTotals) {
  std::vector<IndicatorData> indicators = testdata::MakeIndicators();
  IndicatorData unjudged = testdata::Indicator(
      "ukendt", "Ikke vurderet", v1::INDICATOR_KIND_MILESTONE,
      v1::MEASURE_TYPE_ACTIVITY, {"crit-uddannelse"}, v1::STATUS_UNSPECIFIED);
  indicators.push_back(unjudged);
  indicators.push_back(testdata::Indicator(
      "mistet", "Mistet", v1::INDICATOR_KIND_MILESTONE,
      v1::MEASURE_TYPE_ACTIVITY, {"crit-uddannelse"}, v1::STATUS_MISSED));
  indicators.push_back(testdata::Indicator(
      "naaet", "Nået", v1::INDICATOR_KIND_MILESTONE, v1::MEASURE_TYPE_ACTIVITY,
      {"crit-uddannelse", "crit-job"}, v1::STATUS_ACHIEVED));
  v1::FollowUpReport report =
      BuildFollowUpReport(testdata::MakePolicy(), indicators, testdata::AsOf());
  const v1::StatusCounts& totals = report.totals();
  EXPECT_EQ(totals.key(), testdata::kPolicyName);
  EXPECT_EQ(totals.title(), "Integrationspolitik 2009–2012");
  EXPECT_EQ(totals.total(), 6);
  EXPECT_EQ(totals.achieved(), 1);
  EXPECT_EQ(totals.on_track(), 1);
  EXPECT_EQ(totals.at_risk(), 1);
  EXPECT_EQ(totals.off_track(), 1);
  EXPECT_EQ(totals.missed(), 1);
  EXPECT_EQ(totals.no_data(), 1);  // the unset status
  // "Nået" counts in both of its areas.
  EXPECT_EQ(report.focus_areas(0).counts().total(), 3);
  EXPECT_EQ(report.focus_areas(0).counts().achieved(), 1);
  EXPECT_EQ(report.focus_areas(1).counts().total(), 4);
  EXPECT_EQ(report.focus_areas(1).counts().missed(), 1);
  EXPECT_EQ(report.focus_areas(1).counts().no_data(), 1);
}

TEST(BuildFollowUpReportTest, IndicatorsOfRemovedCriteriaComeLast) {
  std::vector<IndicatorData> indicators = testdata::MakeIndicators();
  IndicatorData old = testdata::Indicator(
      "dansk", "Bestået danskprøve", v1::INDICATOR_KIND_SHARE_AT_LEAST,
      v1::MEASURE_TYPE_OUTCOME, {"crit-fjernet"}, v1::STATUS_ACHIEVED);
  old.indicator.mutable_criteria(0)->set_criterion_text(
      "Flere består danskprøven");
  indicators.insert(indicators.begin(), old);
  v1::FollowUpReport report =
      BuildFollowUpReport(testdata::MakePolicy(), indicators, testdata::AsOf());
  ASSERT_EQ(report.focus_areas_size(), 3);
  const v1::FocusAreaSection& others = report.focus_areas(2);
  EXPECT_EQ(others.title(), "Øvrige indikatorer");
  EXPECT_THAT(others.focus_area_id(), IsEmpty());
  ASSERT_EQ(others.criteria_size(), 1);
  EXPECT_EQ(others.criteria(0).criterion_id(), "crit-fjernet");
  EXPECT_EQ(others.criteria(0).text(), "Flere består danskprøven");
  EXPECT_THAT(Names(others.criteria(0)), ElementsAre("Bestået danskprøve"));
  EXPECT_EQ(others.counts().total(), 1);
  EXPECT_EQ(others.counts().achieved(), 1);
  EXPECT_EQ(report.totals().total(), 4);
}

TEST(BuildFollowUpReportTest, LiveCriterionWinsOverRemovedOne) {
  std::vector<IndicatorData> indicators = testdata::MakeIndicators();
  // Measures a live and a removed criterion: shown under the live one only.
  v1::CriterionReference* ref = indicators[0].indicator.add_criteria();
  ref->set_policy_name(testdata::kPolicyName);
  ref->set_criterion_id("crit-fjernet");
  v1::FollowUpReport report =
      BuildFollowUpReport(testdata::MakePolicy(), indicators, testdata::AsOf());
  EXPECT_THAT(AreaIds(report), ElementsAre("beskaeftigelse", "boern"));
}

TEST(BuildFollowUpReportTest, CriterionOfAnotherPolicyDoesNotCount) {
  std::vector<IndicatorData> indicators = testdata::MakeIndicators();
  // Same criterion id, other policy: not this policy's criterion.
  indicators[2].indicator.mutable_criteria(0)->set_policy_name(
      "municipalities/169/policies/boernepolitik");
  v1::FollowUpReport report =
      BuildFollowUpReport(testdata::MakePolicy(), indicators, testdata::AsOf());
  EXPECT_THAT(AreaIds(report), ElementsAre("beskaeftigelse", ""));
}

TEST(BuildFollowUpReportTest, PointsStopAtAsOfOldestFirstTargetGroupFirst) {
  v1::FollowUpReport report = BuildFollowUpReport(
      testdata::MakePolicy(), testdata::MakeIndicators(), testdata::AsOf());
  // 2010 began after the report's day.
  EXPECT_THAT(Points(report.focus_areas(0).criteria(0).indicators(0)),
              ElementsAre("2007T46", "2008T48", "2009T51"));
  EXPECT_THAT(Points(report.focus_areas(1).criteria(0).indicators(0)),
              ElementsAre("2006T58", "2006R80", "2007T57", "2007R81", "2008T56",
                          "2008R82", "2009T55", "2009R83"));
}

TEST(BuildFollowUpReportTest, SortsShuffledPointsAndNamesUnsetSeries) {
  std::vector<IndicatorData> indicators = testdata::MakeIndicators();
  std::vector<MeasurementPoint>& points = indicators[1].points;
  std::swap(points[0], points[3]);
  points[1].series = v1::SERIES_UNSPECIFIED;
  v1::FollowUpReport report =
      BuildFollowUpReport(testdata::MakePolicy(), indicators, testdata::AsOf());
  const v1::IndicatorSection& count =
      report.focus_areas(0).criteria(1).indicators(0);
  EXPECT_THAT(Points(count), ElementsAre("2009-Q1T4", "2009-Q2T7", "2009-Q3T11",
                                         "2009-Q4T13"));
  EXPECT_EQ(count.status().status(), v1::STATUS_AT_RISK);
  EXPECT_EQ(count.indicator().unit(), "iværksættere");
}

TEST(BuildFollowUpReportTest, NoIndicatorsMakeAnEmptyReport) {
  v1::FollowUpReport report =
      BuildFollowUpReport(testdata::MakePolicy(), {}, testdata::AsOf());
  EXPECT_THAT(report.focus_areas(), IsEmpty());
  EXPECT_EQ(report.totals().total(), 0);
  EXPECT_EQ(report.totals().key(), testdata::kPolicyName);
}

}  // namespace
}  // namespace kommune::followup
