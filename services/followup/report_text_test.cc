// The Danish words and number formats of the rendered reports.
#include "services/followup/report_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::followup::report {
namespace {

constexpr char kNbsp[] = "\u00a0";

TEST(FormatNumberTest, UsesDanishGroupingAndDecimalComma) {
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(51.5), "51,5");
  EXPECT_EQ(FormatNumber(55.25), "55,25");
  EXPECT_EQ(FormatNumber(2.125), "2,13");
  EXPECT_EQ(FormatNumber(60.0), "60");
  EXPECT_EQ(FormatNumber(1234.5), "1.234,5");
  EXPECT_EQ(FormatNumber(1234567), "1.234.567");
  EXPECT_EQ(FormatNumber(-0.5), "\u22120,5");
  EXPECT_EQ(FormatNumber(-0.001), "0");  // no minus before a rounded zero
}

TEST(FormatValueTest, PutsANoBreakSpaceBeforeTheUnit) {
  EXPECT_EQ(FormatValue(52.5, "%"), std::string("52,5") + kNbsp + "%");
  EXPECT_EQ(FormatValue(12, "iværksættere"),
            std::string("12") + kNbsp + "iværksættere");
  EXPECT_EQ(FormatValue(3, ""), "3");
}

TEST(FormatDateTest, ShortAndLong) {
  common::v1::Date d;
  EXPECT_EQ(FormatDate(d), "");
  d.set_year(2009);
  d.set_month(12);
  d.set_day(31);
  EXPECT_EQ(FormatDate(d), "31.12.2009");
  EXPECT_EQ(FormatLongDate(d), "31. december 2009");
}

TEST(PeriodLabelTest, NamesYearsQuartersAndMonths) {
  EXPECT_EQ(PeriodLabel("2009"), "2009");
  EXPECT_EQ(PeriodLabel("2009-Q2"), "2. kvartal 2009");
  EXPECT_EQ(PeriodLabel("2009-05"), "maj 2009");
  EXPECT_EQ(PeriodLabel("noget andet"), "noget andet");
  EXPECT_EQ(ShortPeriodLabel("2009-Q2"), "K2 2009");
  EXPECT_EQ(ShortPeriodLabel("2009-05"), "maj 09");
}

TEST(StatusWordTest, EveryStatusHasAWordAndASymbol) {
  EXPECT_EQ(StatusWord(v1::STATUS_ACHIEVED), "opfyldt");
  EXPECT_EQ(StatusWord(v1::STATUS_ON_TRACK), "på vej");
  EXPECT_EQ(StatusWord(v1::STATUS_AT_RISK), "i risiko");
  EXPECT_EQ(StatusWord(v1::STATUS_OFF_TRACK), "ikke på vej");
  EXPECT_EQ(StatusWord(v1::STATUS_MISSED), "ikke opfyldt");
  EXPECT_EQ(StatusWord(v1::STATUS_NO_DATA), "ingen data");
  EXPECT_EQ(StatusWord(v1::STATUS_UNSPECIFIED), "ingen data");
  // Each symbol differs, so status never rests on colour alone.
  for (size_t i = 0; i < kStatusOrder.size(); ++i) {
    for (size_t j = i + 1; j < kStatusOrder.size(); ++j) {
      EXPECT_NE(StatusSymbol(kStatusOrder[i]), StatusSymbol(kStatusOrder[j]));
    }
  }
}

TEST(EscapeTest, HtmlAndMarkdown) {
  EXPECT_EQ(EscapeHtml("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/"
            "script&gt;");
  EXPECT_EQ(EscapeMarkdown("*a* | <b> #1\nx"), "\\*a\\* \\| \\<b\\> \\#1 x");
}

v1::Indicator Kind(v1::IndicatorKind kind, const std::string& unit) {
  v1::Indicator ind;
  ind.set_kind(kind);
  ind.set_unit(unit);
  ind.mutable_target()->mutable_deadline()->set_year(2012);
  ind.mutable_target()->mutable_deadline()->set_month(12);
  ind.mutable_target()->mutable_deadline()->set_day(31);
  return ind;
}

TEST(TargetTextTest, DescribesEachKind) {
  v1::IndicatorStatus status;
  v1::Indicator share = Kind(v1::INDICATOR_KIND_SHARE_AT_LEAST, "%");
  share.mutable_target()->set_value(60);
  EXPECT_EQ(TargetText(share, status),
            std::string("mindst 60") + kNbsp + "% senest 31.12.2012");
  share.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
  EXPECT_EQ(TargetText(share, status),
            std::string("højst 60") + kNbsp + "% senest 31.12.2012");

  v1::Indicator rate = Kind(v1::INDICATOR_KIND_RATE_PER_PERIOD, "forløb");
  rate.mutable_target()->set_value(10);
  rate.set_reporting_period(v1::REPORTING_PERIOD_QUARTER);
  rate.mutable_target()->clear_deadline();
  EXPECT_EQ(TargetText(rate, status),
            std::string("mindst 10") + kNbsp + "forløb pr. kvartal");

  v1::Indicator change = Kind(v1::INDICATOR_KIND_RELATIVE_CHANGE, "sager");
  change.mutable_baseline()->set_value(120);
  change.mutable_target()->set_relative_change(-0.5);
  EXPECT_EQ(TargetText(change, status),
            std::string("fald på 50") + kNbsp + "% fra udgangspunktet 120" +
                kNbsp + "sager til 60" + kNbsp + "sager senest 31.12.2012");

  v1::Indicator parity = Kind(v1::INDICATOR_KIND_PARITY, "%");
  parity.mutable_target()->set_tolerance(2.5);
  EXPECT_EQ(TargetText(parity, status),
            "samme niveau som sammenligningsgruppen (± 2,5 procentpoint) "
            "senest 31.12.2012");
  parity.mutable_target()->set_parity_bound(v1::PARITY_BOUND_LOWER);
  EXPECT_EQ(TargetText(parity, status),
            "mindst sammenligningsgruppens niveau \u2212 2,5 procentpoint "
            "senest 31.12.2012");

  EXPECT_EQ(TargetText(Kind(v1::INDICATOR_KIND_MILESTONE, ""), status),
            "gennemført senest 31.12.2012");
}

TEST(LatestTextTest, SaysValuePeriodAndReference) {
  v1::IndicatorStatus status;
  v1::Indicator parity = Kind(v1::INDICATOR_KIND_PARITY, "%");
  EXPECT_EQ(LatestText(parity, status), "ingen målinger");
  status.set_latest_period("2009");
  status.set_latest_value(55.25);
  status.set_latest_reference_value(83);
  EXPECT_EQ(LatestText(parity, status),
            std::string("målgruppen 55,25") + kNbsp +
                "%, sammenligningsgruppen 83" + kNbsp + "% (2009)");
  status.set_latest_value(1);
  EXPECT_EQ(LatestText(Kind(v1::INDICATOR_KIND_MILESTONE, ""), status),
            "gennemført (2009)");
}

TEST(PeriodRowsTest, PairsGroupsAndSumsAmounts) {
  v1::IndicatorSection section;
  section.mutable_indicator()->set_kind(v1::INDICATOR_KIND_COUNT_BY_DEADLINE);
  section.mutable_indicator()->set_aggregation(v1::AGGREGATION_SUM);
  auto add = [&](const char* period, v1::Series series, double value) {
    v1::SeriesPoint* p = section.add_points();
    p->set_period(period);
    p->set_series(series);
    p->set_value(value);
  };
  add("2008", v1::SERIES_TARGET_GROUP, 3);
  add("2009", v1::SERIES_TARGET_GROUP, 4);
  add("2009", v1::SERIES_REFERENCE_GROUP, 9);
  std::vector<PeriodRow> rows = PeriodRows(section);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].period, "2008");
  EXPECT_FALSE(rows[0].reference.has_value());
  EXPECT_EQ(*rows[1].target, 4);
  EXPECT_EQ(*rows[1].reference, 9);
  EXPECT_EQ(*rows[1].total, 7);
}

}  // namespace
}  // namespace kommune::followup::report
