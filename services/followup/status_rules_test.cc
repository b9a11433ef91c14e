// The status and forecast rules on hand-worked examples, one group per kind
// of indicator. Each test's comment shows the arithmetic its numbers come
// from; docs/followup.md states the rules.
#include "services/followup/status_rules.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/followup/measurement_point.h"
#include "services/followup/periods.h"

namespace kommune::followup {
namespace {

using ::testing::HasSubstr;

constexpr double kEps = 1e-9;

common::v1::Date Day(int y, int m, int d) {
  return ToDate(absl::CivilDay(y, m, d));
}

// An indicator followed 2006-2010 unless a test says otherwise.
v1::Indicator MakeIndicator(
    v1::IndicatorKind kind,
    v1::ReportingPeriod period = v1::REPORTING_PERIOD_YEAR) {
  v1::Indicator indicator;
  indicator.set_name("municipalities/169/indicators/test");
  indicator.set_kind(kind);
  indicator.set_reporting_period(period);
  *indicator.mutable_follow_up_period()->mutable_start_date() = Day(2006, 1, 1);
  *indicator.mutable_follow_up_period()->mutable_end_date() = Day(2010, 12, 31);
  return indicator;
}

void SetDeadline(v1::Indicator* indicator, int y, int m, int d) {
  *indicator->mutable_target()->mutable_deadline() = Day(y, m, d);
}

void SetBaseline(v1::Indicator* indicator, double value) {
  indicator->mutable_baseline()->set_value(value);
  *indicator->mutable_baseline()->mutable_date() = Day(2006, 12, 31);
}

MeasurementPoint Point(absl::string_view period, double value,
                       v1::ReportingPeriod kind = v1::REPORTING_PERIOD_YEAR,
                       v1::Series series = v1::SERIES_TARGET_GROUP) {
  MeasurementPoint p;
  p.period = ParsePeriod(period, kind).value();
  p.series = series;
  p.value = value;
  return p;
}

MeasurementPoint Ref(absl::string_view period, double value) {
  return Point(period, value, v1::REPORTING_PERIOD_YEAR,
               v1::SERIES_REFERENCE_GROUP);
}

MeasurementPoint Quarter(absl::string_view period, double value) {
  return Point(period, value, v1::REPORTING_PERIOD_QUARTER);
}

MeasurementPoint Assessment(absl::string_view period, v1::Status status,
                            std::string note) {
  MeasurementPoint p = Point(period, 0);
  p.assessed_status = status;
  p.note = std::move(note);
  return p;
}

// "At 40 etniske iværksættere er blevet etableret inden 2011".
v1::Indicator Entrepreneurs(
    v1::Aggregation aggregation = v1::AGGREGATION_LEVEL) {
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_COUNT_BY_DEADLINE);
  indicator.set_unit("iværksættere");
  indicator.set_aggregation(aggregation);
  indicator.mutable_target()->set_value(40);
  SetDeadline(&indicator, 2010, 12, 31);
  return indicator;
}

// ---------------------------------------------------------------------------
// Count by deadline, level.

TEST(CountByDeadlineTest, ForecastShortByLessThanHalfTheRemainingWayIsAtRisk) {
  // Values 5, 9, 19 for 2006-2008 (x = 0, 1, 2), target 40 by 31.12.2010.
  // mean x = 1, mean y = 11, Sxy = (-1)(-6) + 0 + (1)(8) = 14, Sxx = 2,
  // slope 7; at 2010 (x = 4): 11 + 7 * 3 = 32.
  // Remaining way 40 - 19 = 21, covered 32 - 19 = 13: 13/21 = 0.62 >= 0.5.
  // Progress 19/40 = 47.5 %. Trend 19 - (5 + 9)/2 = 12 > band 0.05 * 40 = 2.
  v1::Indicator indicator = Entrepreneurs();
  SetBaseline(&indicator, 0);
  const v1::IndicatorStatus s = EvaluateStatus(
      indicator, {Point("2008", 19), Point("2006", 5), Point("2007", 9)},
      absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.indicator_name(), "municipalities/169/indicators/test");
  EXPECT_EQ(s.as_of().year(), 2009);
  EXPECT_EQ(s.as_of().month(), 3);
  EXPECT_EQ(s.as_of().day(), 1);
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_NEAR(s.progress_percent(), 47.5, kEps);
  EXPECT_EQ(s.latest_period(), "2008");
  EXPECT_NEAR(s.latest_value(), 19, kEps);
  EXPECT_NEAR(s.target_value(), 40, kEps);
  EXPECT_TRUE(s.has_forecast());
  EXPECT_NEAR(s.forecast_value(), 32, kEps);
  EXPECT_EQ(s.trend(), v1::TREND_IMPROVING);
  EXPECT_EQ(s.explanation(),
            "19 iværksættere i 2008; med den nuværende udvikling forventes 32 "
            "iværksættere ved fristen 31.12.2010, lidt fra målet (mindst 40 "
            "iværksættere).");
}

TEST(CountByDeadlineTest, ForecastReachingTheTargetIsOnTrack) {
  // 14 in 2007, 28 in 2008: slope 14; at 2010 (two periods on): 28 + 28 = 56
  // >= 40. Progress 28/40 = 70 % (no baseline: from 0).
  const v1::IndicatorStatus s =
      EvaluateStatus(Entrepreneurs(), {Point("2007", 14), Point("2008", 28)},
                     absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ON_TRACK);
  EXPECT_NEAR(s.progress_percent(), 70, kEps);
  EXPECT_NEAR(s.forecast_value(), 56, kEps);
  EXPECT_THAT(s.explanation(),
              HasSubstr("så målet (mindst 40 iværksættere) nås"));
}

TEST(CountByDeadlineTest, ForecastShortByMoreThanHalfIsOffTrack) {
  // 10 in 2007, 14 in 2008: slope 4; at 2010: 14 + 8 = 22.
  // Remaining way 40 - 14 = 26, covered 22 - 14 = 8: 8/26 = 0.31 < 0.5.
  // Progress 14/40 = 35 %.
  const v1::IndicatorStatus s =
      EvaluateStatus(Entrepreneurs(), {Point("2007", 10), Point("2008", 14)},
                     absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_OFF_TRACK);
  EXPECT_NEAR(s.progress_percent(), 35, kEps);
  EXPECT_NEAR(s.forecast_value(), 22, kEps);
  EXPECT_EQ(s.explanation(),
            "14 iværksættere i 2008; med den nuværende udvikling forventes 22 "
            "iværksættere ved fristen 31.12.2010, og målet (mindst 40 "
            "iværksættere) nås ikke i det tempo.");
}

TEST(CountByDeadlineTest, MovingAwayIsOffTrackAndWorsening) {
  // 20 in 2007, 16 in 2008: slope -4; at 2010: 16 - 8 = 8 < 16, the
  // forecast is worse than now. Trend -4 beyond band 2. Progress 16/40 = 40.
  const v1::IndicatorStatus s =
      EvaluateStatus(Entrepreneurs(), {Point("2007", 20), Point("2008", 16)},
                     absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_OFF_TRACK);
  EXPECT_EQ(s.trend(), v1::TREND_WORSENING);
  EXPECT_NEAR(s.forecast_value(), 8, kEps);
  EXPECT_NEAR(s.progress_percent(), 40, kEps);
  EXPECT_THAT(s.explanation(), HasSubstr("udviklingen går ikke mod målet"));
}

TEST(CountByDeadlineTest, OneValueIsAtRiskWithoutForecast) {
  // 22 of 40: progress 55 %; one value draws no line.
  const v1::IndicatorStatus s = EvaluateStatus(
      Entrepreneurs(), {Point("2008", 22)}, absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_NEAR(s.progress_percent(), 55, kEps);
  EXPECT_FALSE(s.has_forecast());
  EXPECT_EQ(s.forecast_value(), 0);
  EXPECT_EQ(s.trend(), v1::TREND_UNSPECIFIED);
  EXPECT_THAT(s.explanation(), HasSubstr("for lidt til en prognose"));
}

TEST(CountByDeadlineTest, PointsForPeriodsAfterAsOfAreIgnored) {
  // 2010 starts 1.1.2010, after as_of 1.3.2009: only 2008's 22 is seen.
  const v1::IndicatorStatus s =
      EvaluateStatus(Entrepreneurs(), {Point("2008", 22), Point("2010", 45)},
                     absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_EQ(s.latest_period(), "2008");
  EXPECT_NEAR(s.latest_value(), 22, kEps);
}

TEST(CountByDeadlineTest, ReachedBeforeTheDeadlineIsAchieved) {
  const v1::IndicatorStatus s =
      EvaluateStatus(Entrepreneurs(), {Point("2008", 28), Point("2009", 41)},
                     absl::CivilDay(2010, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.progress_percent(), 100, kEps);
  // Deadline still ahead: the line is drawn even when met. 28, 41: slope
  // 13; at 2010: 41 + 13 = 54.
  EXPECT_TRUE(s.has_forecast());
  EXPECT_NEAR(s.forecast_value(), 54, kEps);
  EXPECT_EQ(s.explanation(),
            "Målet (mindst 40 iværksættere) er nået: 41 iværksættere i 2009.");
}

TEST(CountByDeadlineTest, AfterTheDeadlineTheDeadlinePeriodsValueDecides) {
  // Deadline 31.12.2010: 2010's 38 is the value at the deadline; 2011's 44
  // came too late and does not count. Progress 38/40 = 95 %.
  v1::Indicator indicator = Entrepreneurs();
  *indicator.mutable_follow_up_period()->mutable_end_date() = Day(2012, 12, 31);
  const v1::IndicatorStatus s = EvaluateStatus(
      indicator, {Point("2009", 30), Point("2010", 38), Point("2011", 44)},
      absl::CivilDay(2012, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_MISSED);
  EXPECT_NEAR(s.progress_percent(), 95, kEps);
  EXPECT_FALSE(s.has_forecast());
  EXPECT_EQ(s.latest_period(), "2011");  // latest is still the latest
  EXPECT_NEAR(s.latest_value(), 44, kEps);
  EXPECT_EQ(s.explanation(),
            "Målet (mindst 40 iværksættere) blev ikke nået ved fristen "
            "31.12.2010: 38 iværksættere i 2010; det blev først nået i 2011, "
            "efter fristen, og det tæller ikke.");
}

TEST(CountByDeadlineTest, AfterTheDeadlineWithoutAnEarlierValueIsMissed) {
  v1::Indicator indicator = Entrepreneurs();
  SetDeadline(&indicator, 2009, 12, 31);
  const v1::IndicatorStatus s = EvaluateStatus(indicator, {Point("2010", 45)},
                                               absl::CivilDay(2010, 6, 1));
  EXPECT_EQ(s.status(), v1::STATUS_MISSED);
  EXPECT_NEAR(s.progress_percent(), 0, kEps);
  EXPECT_THAT(s.explanation(), HasSubstr("uden en måling fra før fristen"));
}

TEST(CountByDeadlineTest, OnTheDeadlineDayTheDeadlineHasNotPassed) {
  // 31.12.2010 is the last day that counts: still open, with a forecast.
  // The latest value is in the deadline's period, so the line (30, 38) is
  // read there: 38, no way covered of the 2 left: off track.
  const v1::IndicatorStatus s =
      EvaluateStatus(Entrepreneurs(), {Point("2009", 30), Point("2010", 38)},
                     absl::CivilDay(2010, 12, 31));
  EXPECT_EQ(s.status(), v1::STATUS_OFF_TRACK);
  EXPECT_TRUE(s.has_forecast());
  EXPECT_NEAR(s.forecast_value(), 38, kEps);
  EXPECT_NEAR(s.progress_percent(), 95, kEps);
}

TEST(CountByDeadlineTest, LineHeadingAwayIsOffTrackEvenIfItEndsAboveTarget) {
  // 80, 79, 45 for 2008-2010, target 40 changed to 50: mean 68,
  // Sxy = (-1)(12) + 0 + (1)(-23) = -35, Sxx = 2, slope -17.5; at 2010:
  // 68 - 17.5 = 50.5 >= 50, but the line falls: off track.
  v1::Indicator indicator = Entrepreneurs();
  indicator.mutable_target()->set_value(50);
  const v1::IndicatorStatus s = EvaluateStatus(
      indicator, {Point("2008", 80), Point("2009", 79), Point("2010", 45)},
      absl::CivilDay(2010, 6, 1));
  EXPECT_EQ(s.status(), v1::STATUS_OFF_TRACK);
  EXPECT_NEAR(s.forecast_value(), 50.5, kEps);
  EXPECT_EQ(s.trend(), v1::TREND_WORSENING);    // 45 - 79.5, band 2.5
  EXPECT_NEAR(s.progress_percent(), 90, kEps);  // 45/50
}

TEST(CountByDeadlineTest, WithoutDeadlineTheDirectionOfTheLineDecides) {
  v1::Indicator indicator = Entrepreneurs();
  indicator.mutable_target()->clear_deadline();
  EXPECT_EQ(EvaluateStatus(indicator, {Point("2007", 10), Point("2008", 14)},
                           absl::CivilDay(2009, 3, 1))
                .status(),
            v1::STATUS_ON_TRACK);
  EXPECT_EQ(EvaluateStatus(indicator, {Point("2007", 14), Point("2008", 14)},
                           absl::CivilDay(2009, 3, 1))
                .status(),
            v1::STATUS_OFF_TRACK);
  EXPECT_FALSE(EvaluateStatus(indicator, {Point("2007", 10), Point("2008", 14)},
                              absl::CivilDay(2009, 3, 1))
                   .has_forecast());
}

TEST(CountByDeadlineTest, DanishNumbersInTheExplanation) {
  // 1234 of 1500: thousands point; 1234/1500 = 82.27 %.
  v1::Indicator indicator = Entrepreneurs();
  indicator.set_unit("besøg");
  indicator.mutable_target()->set_value(1500);
  const v1::IndicatorStatus s = EvaluateStatus(indicator, {Point("2008", 1234)},
                                               absl::CivilDay(2009, 3, 1));
  EXPECT_NEAR(s.progress_percent(), 1234.0 / 1500 * 100, kEps);
  EXPECT_THAT(s.explanation(), HasSubstr("1.234 besøg i 2008"));
  EXPECT_THAT(s.explanation(), HasSubstr("mindst 1.500 besøg"));
}

// ---------------------------------------------------------------------------
// Count by deadline, sum.

TEST(CountByDeadlineSumTest, RunningTotalIsForecast) {
  // Amounts 12 (2007) and 15 (2008): totals 12, 27, slope 15; at 2010:
  // 27 + 2 * 15 = 57 >= 40. Progress 27/40 = 67.5 %. latest_value is the
  // total, comparable with the target.
  const v1::IndicatorStatus s = EvaluateStatus(
      Entrepreneurs(v1::AGGREGATION_SUM),
      {Point("2008", 15), Point("2007", 12)}, absl::CivilDay(2009, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ON_TRACK);
  EXPECT_NEAR(s.latest_value(), 27, kEps);
  EXPECT_NEAR(s.progress_percent(), 67.5, kEps);
  EXPECT_NEAR(s.forecast_value(), 57, kEps);
  EXPECT_THAT(s.explanation(),
              HasSubstr("27 iværksættere i alt til og med 2008"));
}

TEST(CountByDeadlineSumTest, SumAtTheDeadlineDecides) {
  // 12 + 15 + 14 = 41 by 2010 >= 40.
  const v1::IndicatorStatus achieved =
      EvaluateStatus(Entrepreneurs(v1::AGGREGATION_SUM),
                     {Point("2008", 12), Point("2009", 15), Point("2010", 14)},
                     absl::CivilDay(2011, 3, 1));
  EXPECT_EQ(achieved.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(achieved.progress_percent(), 100, kEps);
  EXPECT_FALSE(achieved.has_forecast());

  // 12 + 15 + 10 = 37 by 2010 (92.5 %); 2011's 5 makes 42, too late.
  v1::Indicator indicator = Entrepreneurs(v1::AGGREGATION_SUM);
  *indicator.mutable_follow_up_period()->mutable_end_date() = Day(2011, 12, 31);
  const v1::IndicatorStatus missed =
      EvaluateStatus(indicator,
                     {Point("2008", 12), Point("2009", 15), Point("2010", 10),
                      Point("2011", 5)},
                     absl::CivilDay(2012, 2, 1));
  EXPECT_EQ(missed.status(), v1::STATUS_MISSED);
  EXPECT_NEAR(missed.progress_percent(), 92.5, kEps);
  EXPECT_NEAR(missed.latest_value(), 42, kEps);
  EXPECT_THAT(missed.explanation(), HasSubstr("først nået i 2011"));
}

// ---------------------------------------------------------------------------
// Share at least.

v1::Indicator Uptake() {
  // "mindst 50 % tage imod tilbuddet" by the end of 2011.
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_SHARE_AT_LEAST);
  indicator.set_unit("%");
  indicator.mutable_target()->set_value(50);
  SetDeadline(&indicator, 2011, 12, 31);
  *indicator.mutable_follow_up_period()->mutable_end_date() = Day(2012, 12, 31);
  return indicator;
}

TEST(ShareAtLeastTest, MetThenLostBeforeTheDeadlineIsNoLongerAchieved) {
  // Late 2009: 44, 52: 52 >= 50, achieved. Line slope 8; at 2011: 52 + 16.
  const v1::IndicatorStatus met =
      EvaluateStatus(Uptake(), {Point("2008", 44), Point("2009", 52)},
                     absl::CivilDay(2009, 12, 1));
  EXPECT_EQ(met.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(met.progress_percent(), 100, kEps);
  EXPECT_NEAR(met.forecast_value(), 68, kEps);

  // Mid 2010 the 2010 value 48 is in: no longer met.
  // 44, 52, 48 (x = 0, 1, 2): mean 48, Sxy = (-1)(-4) + 0 + (1)(0) = 4,
  // slope 2; at 2011 (x = 3): 48 + 2 * 2 = 52 >= 50, on track.
  // Progress 48/50 = 96 %. Trend 48 - (44 + 52)/2 = 0: stable.
  const v1::IndicatorStatus lost = EvaluateStatus(
      Uptake(), {Point("2008", 44), Point("2009", 52), Point("2010", 48)},
      absl::CivilDay(2010, 6, 30));
  EXPECT_EQ(lost.status(), v1::STATUS_ON_TRACK);
  EXPECT_NEAR(lost.progress_percent(), 96, kEps);
  EXPECT_NEAR(lost.forecast_value(), 52, kEps);
  EXPECT_EQ(lost.trend(), v1::TREND_STABLE);
  EXPECT_EQ(lost.explanation(),
            "48 % i 2010; med den nuværende udvikling forventes 52 % ved "
            "fristen 31.12.2011, så målet (mindst 50 %) nås.");
}

TEST(ShareAtLeastTest, AfterTheDeadlineTheValueAtTheDeadlineDecides) {
  // 2011 (the deadline's period) 49 < 50: missed although 2012 is 55.
  // Progress 49/50 = 98 %.
  const v1::IndicatorStatus missed = EvaluateStatus(
      Uptake(), {Point("2010", 52), Point("2011", 49), Point("2012", 55)},
      absl::CivilDay(2013, 1, 10));
  EXPECT_EQ(missed.status(), v1::STATUS_MISSED);
  EXPECT_NEAR(missed.progress_percent(), 98, kEps);
  EXPECT_EQ(missed.latest_period(), "2012");

  // 2011 51 >= 50: achieved although 2012 fell to 45.
  const v1::IndicatorStatus achieved = EvaluateStatus(
      Uptake(), {Point("2010", 48), Point("2011", 51), Point("2012", 45)},
      absl::CivilDay(2013, 1, 10));
  EXPECT_EQ(achieved.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(achieved.progress_percent(), 100, kEps);
  EXPECT_NEAR(achieved.latest_value(), 45, kEps);
  EXPECT_EQ(achieved.explanation(),
            "Målet (mindst 50 %) blev nået ved fristen 31.12.2011: 51 % i "
            "2011.");
}

TEST(ShareAtLeastTest, LowerIsBetterWithoutBaselineStartsAtTheFirstValue) {
  // "højst 5 %" absence: 8 (2008), 7 (2009). No baseline and going down,
  // so the way starts at the first value 8: (8 - 7)/(8 - 5) = 33.3 %.
  // Line: slope -1; at 2011: 7 - 2 = 5 <= 5, on track.
  // Trend -1, band 0.05 * |5 - 8| = 0.15: improving (down is better).
  v1::Indicator indicator = Uptake();
  indicator.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
  indicator.mutable_target()->set_value(5);
  const v1::IndicatorStatus s =
      EvaluateStatus(indicator, {Point("2008", 8), Point("2009", 7)},
                     absl::CivilDay(2010, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ON_TRACK);
  EXPECT_NEAR(s.progress_percent(), 100.0 / 3, 1e-6);
  EXPECT_NEAR(s.forecast_value(), 5, kEps);
  EXPECT_EQ(s.trend(), v1::TREND_IMPROVING);
  EXPECT_THAT(s.explanation(), HasSubstr("højst 5 %"));
}

TEST(ShareAtLeastTest, DecimalsAreWrittenWithAComma) {
  const v1::IndicatorStatus s = EvaluateStatus(Uptake(), {Point("2009", 47.25)},
                                               absl::CivilDay(2010, 2, 1));
  EXPECT_NEAR(s.progress_percent(), 94.5, kEps);
  EXPECT_THAT(s.explanation(), HasSubstr("47,3 % i 2009"));
}

// ---------------------------------------------------------------------------
// Relative change.

v1::Indicator HalveAbsence() {
  // "halveret deres skolefravær inden udgangen af 2009" from 12 %.
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_RELATIVE_CHANGE);
  indicator.set_unit("%");
  SetBaseline(&indicator, 12);
  indicator.mutable_target()->set_relative_change(-0.5);
  SetDeadline(&indicator, 2009, 12, 31);
  return indicator;
}

TEST(RelativeChangeTest, HalvingIsJudgedDownwards) {
  // Target 12 * (1 - 0.5) = 6; no direction set, the negative change says
  // lower is better. 10 (2007), 8.5 (2008): slope -1.5; at 2009:
  // 8.5 - 1.5 = 7 > 6. Remaining way 8.5 - 6 = 2.5, covered 1.5: 0.6 at risk.
  // Progress (12 - 8.5)/(12 - 6) = 58.33 %. Trend -1.5 beyond band 0.3.
  const v1::IndicatorStatus s =
      EvaluateStatus(HalveAbsence(), {Point("2007", 10), Point("2008", 8.5)},
                     absl::CivilDay(2009, 1, 20));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_NEAR(s.target_value(), 6, kEps);
  EXPECT_NEAR(s.progress_percent(), 3.5 / 6 * 100, 1e-6);
  EXPECT_NEAR(s.forecast_value(), 7, kEps);
  EXPECT_EQ(s.trend(), v1::TREND_IMPROVING);
  EXPECT_THAT(s.explanation(), HasSubstr("højst 6 %, udgangspunktet 12 % "
                                         "ændret med -50 %"));
}

TEST(RelativeChangeTest, HalvedByTheDeadlineIsAchieved) {
  const v1::IndicatorStatus s = EvaluateStatus(
      HalveAbsence(),
      {Point("2007", 10), Point("2008", 8.5), Point("2009", 5.9)},
      absl::CivilDay(2010, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.progress_percent(), 100, kEps);
}

TEST(RelativeChangeTest, RoundingDoesNotMissTheTarget) {
  // Down 90 % from 3: 3 * (1 - 0.9) is 0.29999999999999993 in binary, so a
  // value of 0.3 is above it by 7e-17; within rounding it meets the target.
  v1::Indicator indicator = HalveAbsence();
  SetBaseline(&indicator, 3);
  indicator.mutable_target()->set_relative_change(-0.9);
  const v1::IndicatorStatus s = EvaluateStatus(indicator, {Point("2009", 0.3)},
                                               absl::CivilDay(2009, 6, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.progress_percent(), 100, kEps);
}

TEST(RelativeChangeTest, DoublingIsJudgedUpwards) {
  // 20 * (1 + 1) = 40; 30 is half way from 20: 50 %. One value: at risk.
  v1::Indicator indicator = HalveAbsence();
  SetBaseline(&indicator, 20);
  indicator.mutable_target()->set_relative_change(1.0);
  const v1::IndicatorStatus s = EvaluateStatus(indicator, {Point("2008", 30)},
                                               absl::CivilDay(2009, 1, 20));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_NEAR(s.target_value(), 40, kEps);
  EXPECT_NEAR(s.progress_percent(), 50, kEps);
}

TEST(RelativeChangeTest, AnExplicitDirectionWins) {
  // "rise at most 10 %": +0.1 with lower is better; 100 -> at most 110.
  v1::Indicator indicator = HalveAbsence();
  SetBaseline(&indicator, 100);
  indicator.mutable_target()->set_relative_change(0.1);
  indicator.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
  const v1::IndicatorStatus s = EvaluateStatus(indicator, {Point("2008", 105)},
                                               absl::CivilDay(2009, 1, 20));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.target_value(), 110, kEps);
}

TEST(RelativeChangeTest, WithoutBaselineThereIsNoTarget) {
  v1::Indicator indicator = HalveAbsence();
  indicator.clear_baseline();
  const v1::IndicatorStatus s =
      EvaluateStatus(indicator, {Point("2007", 10), Point("2008", 8.5)},
                     absl::CivilDay(2009, 1, 20));
  EXPECT_EQ(s.status(), v1::STATUS_NO_DATA);
  EXPECT_EQ(s.target_value(), 0);
  EXPECT_EQ(s.progress_percent(), 0);
  EXPECT_FALSE(s.has_forecast());
  EXPECT_EQ(s.latest_period(), "2008");
  EXPECT_THAT(s.explanation(), HasSubstr("intet udgangspunkt"));
}

// ---------------------------------------------------------------------------
// Parity.

v1::Indicator Employment(v1::ParityBound bound, double tolerance) {
  // "Andelen ... svarer til andelen i resten af kommunen i 2011".
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_PARITY);
  indicator.set_unit("%");
  indicator.mutable_target()->set_parity_bound(bound);
  indicator.mutable_target()->set_tolerance(tolerance);
  SetDeadline(&indicator, 2011, 12, 31);
  *indicator.mutable_follow_up_period()->mutable_end_date() = Day(2012, 12, 31);
  return indicator;
}

TEST(ParityTest, WithinToleranceGapClosingSlowlyIsAtRisk) {
  // Target group 40, 44; reference 52, 51 (2008, 2009). Gaps -12, -7,
  // sizes 12, 7 against tolerance 2. Gap line slope 5; at 2011 (x = 3):
  // -9.5 + 5 * 2.5 = 3, size 3 > 2. Remaining 7 - 2 = 5, covered 7 - 3 = 4:
  // 0.8, at risk. Progress from the first gap: (12 - 7)/(12 - 2) = 50 %.
  // Reported forecast is the target group's own line: 42 + 4 * 2.5 = 52.
  // Trend of the gap size: 7 - 12 = -5 beyond band 0.05 * 10: improving.
  const v1::IndicatorStatus s = EvaluateStatus(
      Employment(v1::PARITY_BOUND_WITHIN_TOLERANCE, 2),
      {Point("2008", 40), Ref("2008", 52), Point("2009", 44), Ref("2009", 51)},
      absl::CivilDay(2010, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_NEAR(s.progress_percent(), 50, kEps);
  EXPECT_EQ(s.latest_period(), "2009");
  EXPECT_NEAR(s.latest_value(), 44, kEps);
  EXPECT_NEAR(s.latest_reference_value(), 51, kEps);
  EXPECT_NEAR(s.target_value(), 51, kEps);
  EXPECT_TRUE(s.has_forecast());
  EXPECT_NEAR(s.forecast_value(), 52, kEps);
  EXPECT_EQ(s.trend(), v1::TREND_IMPROVING);
  EXPECT_EQ(s.explanation(),
            "Målgruppen lå på 44 % mod 51 % i sammenligningsgruppen i 2009; "
            "med den nuværende udvikling forventes en forskel på 3 "
            "procentpoint over sammenligningsgruppen ved fristen 31.12.2011, "
            "lidt fra målet (højst 2 procentpoint fra sammenligningsgruppen).");
}

TEST(ParityTest, WithinToleranceOvershootIsNotParity) {
  // Gaps -12, -5: slope 7; at 2011: -8.5 + 7 * 2.5 = 9, the other way.
  // The line heads towards parity (size 2 in 2010) but overshoots: size 9
  // against 5 now covers (5 - 9)/(5 - 2) < 0 of the way: off track.
  const v1::IndicatorStatus s = EvaluateStatus(
      Employment(v1::PARITY_BOUND_WITHIN_TOLERANCE, 2),
      {Point("2008", 40), Ref("2008", 52), Point("2009", 46), Ref("2009", 51)},
      absl::CivilDay(2010, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_OFF_TRACK);
  // Target group line 40, 46: at 2011: 46 + 2 * 6 = 58.
  EXPECT_NEAR(s.forecast_value(), 58, kEps);
}

TEST(ParityTest, UpperBoundReachedByTheLineIsOnTrack) {
  // "Vold og hærværk ... ikke højere end i resten af kommunen": tolerance 0.
  // Target group 30, 24; reference 20, 21: gaps 10, 3, slope -7; at 2010
  // (x = 2): 6.5 - 7 * 1.5 = -4 <= 0, on track. Progress (10 - 3)/10 = 70 %.
  // Target group line 30, 24: 24 - 6 = 18. Target value 21 + 0.
  v1::Indicator indicator = Employment(v1::PARITY_BOUND_UPPER, 0);
  indicator.set_unit("anmeldelser");
  SetDeadline(&indicator, 2010, 12, 31);
  const v1::IndicatorStatus s = EvaluateStatus(
      indicator,
      {Point("2008", 30), Ref("2008", 20), Point("2009", 24), Ref("2009", 21)},
      absl::CivilDay(2010, 1, 10));
  EXPECT_EQ(s.status(), v1::STATUS_ON_TRACK);
  EXPECT_NEAR(s.progress_percent(), 70, kEps);
  EXPECT_NEAR(s.forecast_value(), 18, kEps);
  EXPECT_NEAR(s.target_value(), 21, kEps);
  EXPECT_EQ(s.trend(), v1::TREND_IMPROVING);
  EXPECT_THAT(s.explanation(), HasSubstr("en forskel på 4 anmeldelser under "
                                         "sammenligningsgruppen"));
  EXPECT_THAT(s.explanation(), HasSubstr("ikke over sammenligningsgruppen"));
}

TEST(ParityTest, LowerBoundWithinToleranceIsAchieved) {
  // 49 against 50 with tolerance 2: 49 >= 48. Target value 50 - 2.
  const v1::IndicatorStatus s = EvaluateStatus(
      Employment(v1::PARITY_BOUND_LOWER, 2),
      {Point("2009", 49), Ref("2009", 50)}, absl::CivilDay(2010, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.target_value(), 48, kEps);
  EXPECT_NEAR(s.progress_percent(), 100, kEps);
}

TEST(ParityTest, OnlyPeriodsWithBothValuesAreCompared) {
  // 2009 has no reference value: 2008 (40 against 52) is the latest pair.
  // One pair: at risk, no forecast; the first gap is the start: progress 0.
  const v1::IndicatorStatus s =
      EvaluateStatus(Employment(v1::PARITY_BOUND_WITHIN_TOLERANCE, 2),
                     {Point("2008", 40), Ref("2008", 52), Point("2009", 44)},
                     absl::CivilDay(2010, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_EQ(s.latest_period(), "2008");
  EXPECT_NEAR(s.latest_value(), 40, kEps);
  EXPECT_NEAR(s.latest_reference_value(), 52, kEps);
  EXPECT_FALSE(s.has_forecast());
  EXPECT_NEAR(s.progress_percent(), 0, kEps);
}

TEST(ParityTest, WithoutReferenceValuesThereIsNoData) {
  const v1::IndicatorStatus s = EvaluateStatus(
      Employment(v1::PARITY_BOUND_WITHIN_TOLERANCE, 2),
      {Point("2008", 40), Point("2009", 44)}, absl::CivilDay(2010, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_NO_DATA);
  EXPECT_EQ(s.latest_period(), "2009");
  EXPECT_FALSE(s.has_forecast());
  EXPECT_THAT(s.explanation(), HasSubstr("både målgruppen og"));
}

TEST(ParityTest, AfterTheDeadlineThePairAtTheDeadlineDecides) {
  // Deadline 2011: 2011's gap 49 - 50 = -1 is within 2; 2012's -3 is late.
  const v1::IndicatorStatus s = EvaluateStatus(
      Employment(v1::PARITY_BOUND_WITHIN_TOLERANCE, 2),
      {Point("2011", 49), Ref("2011", 50), Point("2012", 47), Ref("2012", 50)},
      absl::CivilDay(2013, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_EQ(s.latest_period(), "2012");
  EXPECT_FALSE(s.has_forecast());
}

// ---------------------------------------------------------------------------
// Milestone.

v1::Indicator WorkingGroup() {
  // "en arbejdsgruppe nedsat i løbet af 2007", followed quarterly.
  v1::Indicator indicator =
      MakeIndicator(v1::INDICATOR_KIND_MILESTONE, v1::REPORTING_PERIOD_QUARTER);
  SetDeadline(&indicator, 2007, 12, 31);
  return indicator;
}

TEST(MilestoneTest, NotDoneWithPeriodsLeftIsOnTrack) {
  const v1::IndicatorStatus s = EvaluateStatus(
      WorkingGroup(), {Quarter("2007-Q1", 0)}, absl::CivilDay(2007, 5, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ON_TRACK);
  EXPECT_NEAR(s.progress_percent(), 0, kEps);
  EXPECT_NEAR(s.target_value(), 1, kEps);
  EXPECT_FALSE(s.has_forecast());
  EXPECT_EQ(s.explanation(),
            "Milepælen var ikke gennemført i 2007-Q1, men der er tid til "
            "fristen 31.12.2007.");
}

TEST(MilestoneTest, NotDoneInTheDeadlinesPeriodIsAtRisk) {
  // as_of 1.11.2007 lies in 2007-Q4, the deadline's quarter.
  const v1::IndicatorStatus s = EvaluateStatus(
      WorkingGroup(), {Quarter("2007-Q1", 0), Quarter("2007-Q3", 0)},
      absl::CivilDay(2007, 11, 1));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_EQ(s.trend(), v1::TREND_STABLE);
}

TEST(MilestoneTest, DoneIsAchieved) {
  const v1::IndicatorStatus s = EvaluateStatus(
      WorkingGroup(), {Quarter("2007-Q1", 0), Quarter("2007-Q3", 1)},
      absl::CivilDay(2007, 11, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.progress_percent(), 100, kEps);
  EXPECT_EQ(s.trend(), v1::TREND_IMPROVING);
  EXPECT_EQ(s.latest_period(), "2007-Q3");
}

TEST(MilestoneTest, DoneAfterTheDeadlineIsMissed) {
  const v1::IndicatorStatus s = EvaluateStatus(
      WorkingGroup(), {Quarter("2007-Q1", 0), Quarter("2008-Q1", 1)},
      absl::CivilDay(2008, 5, 1));
  EXPECT_EQ(s.status(), v1::STATUS_MISSED);
  EXPECT_NEAR(s.progress_percent(), 0, kEps);
  EXPECT_EQ(s.latest_period(), "2008-Q1");
  EXPECT_NEAR(s.latest_value(), 1, kEps);
  EXPECT_THAT(s.explanation(), HasSubstr("først nået i 2008-Q1"));
}

TEST(MilestoneTest, ReportedUndoneCountsAsNotDone) {
  // Done in Q2, undone in Q3: the latest value is the state.
  const v1::IndicatorStatus s = EvaluateStatus(
      WorkingGroup(), {Quarter("2007-Q2", 1), Quarter("2007-Q3", 0)},
      absl::CivilDay(2007, 8, 15));
  EXPECT_EQ(s.status(), v1::STATUS_ON_TRACK);
  EXPECT_EQ(s.trend(), v1::TREND_WORSENING);
}

// ---------------------------------------------------------------------------
// Qualitative.

TEST(QualitativeTest, LatestAssessmentIsTheStatus) {
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_QUALITATIVE);
  const v1::IndicatorStatus s = EvaluateStatus(
      indicator,
      {Assessment("2009", v1::STATUS_AT_RISK, "Færre deltagere\nend ventet"),
       Assessment("2008", v1::STATUS_ON_TRACK, "Godt i gang."),
       // Starts after as_of: not seen.
       Assessment("2010", v1::STATUS_ACHIEVED, "Færdig.")},
      absl::CivilDay(2009, 6, 1));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_EQ(s.latest_period(), "2009");
  EXPECT_EQ(s.trend(), v1::TREND_WORSENING);
  EXPECT_NEAR(s.progress_percent(), 0, kEps);
  EXPECT_FALSE(s.has_forecast());
  EXPECT_EQ(s.explanation(),
            "Vurderet som i risiko for 2009: Færre deltagere end ventet.");
}

TEST(QualitativeTest, AchievedAssessmentIsFullProgress) {
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_QUALITATIVE);
  const v1::IndicatorStatus s =
      EvaluateStatus(indicator, {Assessment("2009", v1::STATUS_ACHIEVED, "")},
                     absl::CivilDay(2010, 6, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.progress_percent(), 100, kEps);
  EXPECT_EQ(s.explanation(), "Vurderet som opfyldt for 2009.");
}

TEST(QualitativeTest, WithoutAssessmentThereIsNoData) {
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_QUALITATIVE);
  // A value without an assessment is not an assessment.
  const v1::IndicatorStatus s =
      EvaluateStatus(indicator, {Point("2009", 1)}, absl::CivilDay(2010, 6, 1));
  EXPECT_EQ(s.status(), v1::STATUS_NO_DATA);
  EXPECT_EQ(s.explanation(), "Der er ingen vurdering endnu.");
}

// ---------------------------------------------------------------------------
// Rate per period.

v1::Indicator Mentors() {
  // "mindst 30 mentorordninger om året" from 2007 to 2010, no deadline.
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_RATE_PER_PERIOD);
  indicator.set_unit("mentorordninger");
  indicator.mutable_target()->set_value(30);
  *indicator.mutable_follow_up_period()->mutable_start_date() = Day(2007, 1, 1);
  return indicator;
}

TEST(RatePerPeriodTest, EveryEndedPeriodMetIsAchievedSoFar) {
  // 2007 and 2008 ended and met; 2009 under way without a value. 2 of 4
  // periods (2007-2010) met: 50 %. Line 32, 35: slope 3; at 2010 (the
  // follow-up period's end): 35 + 2 * 3 = 41. Trend +3 > 0.05 * 30.
  const v1::IndicatorStatus s =
      EvaluateStatus(Mentors(), {Point("2007", 32), Point("2008", 35)},
                     absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.progress_percent(), 50, kEps);
  EXPECT_TRUE(s.has_forecast());
  EXPECT_NEAR(s.forecast_value(), 41, kEps);
  EXPECT_EQ(s.trend(), v1::TREND_IMPROVING);
  EXPECT_NEAR(s.target_value(), 30, kEps);
  EXPECT_EQ(s.explanation(),
            "Målet (mindst 30 mentorordninger pr. år) er nået i alle 2 "
            "perioder indtil nu; seneste 35 mentorordninger i 2008.");
}

TEST(RatePerPeriodTest, MissingPastPeriodIsOffTrack) {
  // 2007, 2008, 2009 have ended; 2008 has no value. 2 of 4 met: 50 %.
  const v1::IndicatorStatus s =
      EvaluateStatus(Mentors(), {Point("2007", 32), Point("2009", 34)},
                     absl::CivilDay(2010, 2, 1));
  EXPECT_EQ(s.status(), v1::STATUS_OFF_TRACK);
  EXPECT_NEAR(s.progress_percent(), 50, kEps);
  EXPECT_EQ(s.explanation(),
            "Målet (mindst 30 mentorordninger pr. år) er ikke nået i alle "
            "perioder indtil nu: 2008 (ingen måling).");
}

TEST(RatePerPeriodTest, FailingPastPeriodIsOffTrack) {
  // 2008's 28 < 30. 1 of 4 met: 25 %.
  const v1::IndicatorStatus s =
      EvaluateStatus(Mentors(), {Point("2007", 32), Point("2008", 28)},
                     absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_OFF_TRACK);
  EXPECT_NEAR(s.progress_percent(), 25, kEps);
  EXPECT_THAT(s.explanation(), HasSubstr("2008 (28 mentorordninger)"));
}

TEST(RatePerPeriodTest, PeriodUnderWayBelowTheRateIsAtRisk) {
  // 2007 and 2008 met; 2009 is under way at 20. 2 of 4: 50 %.
  const v1::IndicatorStatus s = EvaluateStatus(
      Mentors(), {Point("2007", 32), Point("2008", 33), Point("2009", 20)},
      absl::CivilDay(2009, 6, 30));
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
  EXPECT_NEAR(s.progress_percent(), 50, kEps);
  EXPECT_THAT(s.explanation(),
              HasSubstr("igangværende periode 2009 ligger på 20"));
}

TEST(RatePerPeriodTest, AfterTheEndEveryPeriodDecides) {
  // 2007-2010 all >= 30: achieved, 100 %.
  const v1::IndicatorStatus achieved =
      EvaluateStatus(Mentors(),
                     {Point("2007", 32), Point("2008", 35), Point("2009", 31),
                      Point("2010", 30)},
                     absl::CivilDay(2011, 2, 1));
  EXPECT_EQ(achieved.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(achieved.progress_percent(), 100, kEps);
  EXPECT_FALSE(achieved.has_forecast());

  // 2009's 29 fails: missed, 3 of 4 = 75 %.
  const v1::IndicatorStatus failing =
      EvaluateStatus(Mentors(),
                     {Point("2007", 32), Point("2008", 35), Point("2009", 29),
                      Point("2010", 33)},
                     absl::CivilDay(2011, 2, 1));
  EXPECT_EQ(failing.status(), v1::STATUS_MISSED);
  EXPECT_NEAR(failing.progress_percent(), 75, kEps);

  // 2010 never reported: missed, 75 %.
  const v1::IndicatorStatus missing = EvaluateStatus(
      Mentors(), {Point("2007", 32), Point("2008", 35), Point("2009", 31)},
      absl::CivilDay(2011, 2, 1));
  EXPECT_EQ(missing.status(), v1::STATUS_MISSED);
  EXPECT_NEAR(missing.progress_percent(), 75, kEps);
  EXPECT_EQ(missing.explanation(),
            "Målet (mindst 30 mentorordninger pr. år) blev ikke nået i alle "
            "perioder fra 2007 til 2010: 2010 (ingen måling).");
}

TEST(RatePerPeriodTest, ADeadlineEndsTheObligationEarly) {
  // Deadline 31.12.2008: only 2007 and 2008 count, both met.
  v1::Indicator indicator = Mentors();
  SetDeadline(&indicator, 2008, 12, 31);
  const v1::IndicatorStatus s = EvaluateStatus(
      indicator, {Point("2007", 32), Point("2008", 35), Point("2009", 10)},
      absl::CivilDay(2010, 3, 1));
  EXPECT_EQ(s.status(), v1::STATUS_ACHIEVED);
  EXPECT_NEAR(s.progress_percent(), 100, kEps);
}

TEST(RatePerPeriodTest, LowerIsBetterMeansAtMost) {
  // "højst 5 pr. kvartal": 2007-Q1 4 meets, 2007-Q2 6 does not.
  v1::Indicator indicator = MakeIndicator(v1::INDICATOR_KIND_RATE_PER_PERIOD,
                                          v1::REPORTING_PERIOD_QUARTER);
  indicator.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
  indicator.mutable_target()->set_value(5);
  *indicator.mutable_follow_up_period()->mutable_start_date() = Day(2007, 1, 1);
  const v1::IndicatorStatus s =
      EvaluateStatus(indicator, {Quarter("2007-Q1", 4), Quarter("2007-Q2", 6)},
                     absl::CivilDay(2007, 7, 15));
  EXPECT_EQ(s.status(), v1::STATUS_OFF_TRACK);
  EXPECT_EQ(s.trend(), v1::TREND_WORSENING);
  EXPECT_THAT(s.explanation(), HasSubstr("højst 5 pr. kvartal"));
}

// ---------------------------------------------------------------------------
// Across kinds.

std::vector<v1::Indicator> OneOfEachKind() {
  std::vector<v1::Indicator> all = {
      Entrepreneurs(),
      Entrepreneurs(v1::AGGREGATION_SUM),
      Uptake(),
      HalveAbsence(),
      Employment(v1::PARITY_BOUND_WITHIN_TOLERANCE, 2),
      WorkingGroup(),
      MakeIndicator(v1::INDICATOR_KIND_QUALITATIVE),
      Mentors()};
  return all;
}

TEST(EvaluateStatusTest, NoPointsIsNoDataForEveryKind) {
  for (const v1::Indicator& indicator : OneOfEachKind()) {
    SCOPED_TRACE(v1::IndicatorKind_Name(indicator.kind()));
    const v1::IndicatorStatus s =
        EvaluateStatus(indicator, {}, absl::CivilDay(2008, 6, 1));
    EXPECT_EQ(s.status(), v1::STATUS_NO_DATA);
    EXPECT_EQ(s.progress_percent(), 0);
    EXPECT_EQ(s.latest_period(), "");
    EXPECT_FALSE(s.has_forecast());
    EXPECT_EQ(s.trend(), v1::TREND_UNSPECIFIED);
    EXPECT_FALSE(s.explanation().empty());
  }
}

bool AllFinite(const v1::IndicatorStatus& s) {
  return std::isfinite(s.progress_percent()) &&
         std::isfinite(s.latest_value()) &&
         std::isfinite(s.latest_reference_value()) &&
         std::isfinite(s.target_value()) && std::isfinite(s.forecast_value());
}

TEST(EvaluateStatusTest, NeverNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (v1::Indicator indicator : OneOfEachKind()) {
    SCOPED_TRACE(v1::IndicatorKind_Name(indicator.kind()));
    // Ordinary values, a baseline equal to the target, huge values and
    // non-finite inputs that the contract refuses but a bug might let by.
    const std::vector<std::vector<MeasurementPoint>> cases = {
        {Point("2007", 1), Point("2008", 1), Ref("2008", 1)},
        {Point("2007", 1e308), Point("2008", -1e308), Ref("2008", 1e308)},
        {Point("2007", nan), Point("2008", inf), Ref("2008", nan)},
        {Point("2008", 0), Ref("2008", 0)}};
    for (const auto& points : cases) {
      EXPECT_TRUE(AllFinite(
          EvaluateStatus(indicator, points, absl::CivilDay(2009, 1, 1))));
      EXPECT_TRUE(AllFinite(
          EvaluateStatus(indicator, points, absl::CivilDay(2013, 1, 1))));
    }
    SetBaseline(&indicator, 40);
    indicator.mutable_target()->set_value(40);
    EXPECT_TRUE(AllFinite(EvaluateStatus(indicator,
                                         {Point("2007", 30), Point("2008", 30)},
                                         absl::CivilDay(2009, 1, 1))));
    indicator.mutable_target()->set_value(nan);
    indicator.mutable_target()->set_tolerance(inf);
    indicator.mutable_target()->set_relative_change(nan);
    indicator.mutable_baseline()->set_value(inf);
    EXPECT_TRUE(AllFinite(EvaluateStatus(
        indicator, {Point("2007", 30), Point("2008", 31), Ref("2008", 30)},
        absl::CivilDay(2009, 1, 1))));
  }
}

TEST(EvaluateStatusTest, NonFiniteValuesAreSkipped) {
  // The NaN for 2008 is dropped, leaving 22 for 2007 alone.
  const v1::IndicatorStatus s =
      EvaluateStatus(Entrepreneurs(),
                     {Point("2007", 22),
                      Point("2008", std::numeric_limits<double>::quiet_NaN())},
                     absl::CivilDay(2009, 3, 1));
  EXPECT_EQ(s.latest_period(), "2007");
  EXPECT_EQ(s.status(), v1::STATUS_AT_RISK);
}

// ---------------------------------------------------------------------------
// Helpers.

TEST(LeastSquaresAtTest, FitsALine) {
  // 1, 3, 2 at 0, 1, 2: mean 2, Sxy = (-1)(-1) + 0 + (1)(0) = 1, Sxx = 2,
  // slope 0.5; at 4: 2 + 0.5 * 3 = 3.5.
  EXPECT_NEAR(*LeastSquaresAt({{0, 1}, {1, 3}, {2, 2}}, 4), 3.5, kEps);
  // Month indexes (24000+) are centred, so a steady +1 a month stays exact.
  EXPECT_NEAR(*LeastSquaresAt({{24100, 10}, {24101, 11}, {24103, 13}}, 24112),
              22, kEps);
}

TEST(LeastSquaresAtTest, NeedsTwoPeriods) {
  EXPECT_FALSE(LeastSquaresAt({}, 3).has_value());
  EXPECT_FALSE(LeastSquaresAt({{2008, 5}}, 2010).has_value());
  EXPECT_FALSE(LeastSquaresAt({{2008, 5}, {2008, 6}}, 2010).has_value());
}

TEST(TrendOfTest, StableBandAndDirection) {
  EXPECT_EQ(TrendOf({}, 1, false), v1::TREND_UNSPECIFIED);
  EXPECT_EQ(TrendOf({5}, 1, false), v1::TREND_UNSPECIFIED);
  EXPECT_EQ(TrendOf({5, 6}, 1, false), v1::TREND_STABLE);  // |+1| <= 1
  EXPECT_EQ(TrendOf({5, 6.5}, 1, false), v1::TREND_IMPROVING);
  EXPECT_EQ(TrendOf({5, 6.5}, 1, true), v1::TREND_WORSENING);
  // Three values: 9 against the mean of 2 and 16 (9): stable, one odd value
  // does not make a trend.
  EXPECT_EQ(TrendOf({100, 2, 16, 9}, 1, false), v1::TREND_STABLE);
  // Only the last three count: 100 is ignored.
  EXPECT_EQ(TrendOf({100, 2, 4, 9}, 1, false), v1::TREND_IMPROVING);
}

}  // namespace
}  // namespace kommune::followup
