// The follow-up report as Markdown: order, counts, words and escaping.
#include "services/followup/report_markdown.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/followup/report_builder.h"
#include "services/followup/report_test_data.h"

namespace kommune::followup {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kNbsp = "\u00a0";

v1::FollowUpReport SampleReport() {
  v1::FollowUpReport report = BuildFollowUpReport(
      testdata::MakePolicy(), testdata::MakeIndicators(), testdata::AsOf());
  report.set_display_name("Årlig redegørelse 2009");
  return report;
}

// Where `needle` starts; fails the test when it is missing.
size_t At(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << "missing: " << needle;
  return at;
}

TEST(RenderReportMarkdownTest, HeadingsInReportOrder) {
  std::string md = RenderReportMarkdown(SampleReport());
  EXPECT_EQ(md.rfind("# Årlig redegørelse 2009\n", 0), 0u);
  std::vector<size_t> at = {
      At(md, "\n## Overblik\n"),
      At(md, "\n## Beskæftigelse \\& uddannelse\n"),
      At(md, "\n### Succeskriterium: Flere indvandrere og efterkommere i job"),
      At(md, "\n#### Beskæftigelsesfrekvens for indvandrere\n"),
      At(md, "\n#### Etniske iværksættere etableret\n"),
      At(md, "\n### Succeskriterium: Flere etniske iværksættere\n"),
      At(md, "\n## Børn og unge\n"),
      At(md, "\n#### Unge med ungdomsuddannelse\n")};
  for (size_t i = 1; i < at.size(); ++i) EXPECT_LT(at[i - 1], at[i]) << i;
  EXPECT_THAT(md, Not(HasSubstr("Kultur og fritid")));
}

TEST(RenderReportMarkdownTest, SummaryTableComesFirstWithCounts) {
  std::string md = RenderReportMarkdown(SampleReport());
  EXPECT_THAT(md, HasSubstr("| Indsatsområde | Indikatorer | ✔ Opfyldt | "
                            "↗ På vej | ⚠\ufe0e I risiko | ↘ Ikke på vej | "
                            "✖ Ikke opfyldt | ○ Ingen data |\n"
                            "| --- | ---: | ---: | ---: | ---: | ---: | ---: "
                            "| ---: |\n"));
  EXPECT_THAT(md, HasSubstr("| Beskæftigelse \\& uddannelse | 2 | 0 | 1 | 1 | "
                            "0 | 0 | 0 |\n"));
  EXPECT_THAT(md, HasSubstr("| Børn og unge | 1 | 0 | 0 | 0 | 1 | 0 | 0 |\n"));
  EXPECT_THAT(md, HasSubstr("| **I alt** | **3** | 0 | 1 | 1 | 1 | 0 | 0 |\n"));
  EXPECT_LT(At(md, "| **I alt**"), At(md, "## Beskæftigelse"));
}

TEST(RenderReportMarkdownTest, IndicatorShowsValueTargetTrendForecastStatus) {
  std::string md = RenderReportMarkdown(SampleReport());
  EXPECT_THAT(md, HasSubstr("- Status: ↗ **på vej** — Andelen stiger"));
  EXPECT_THAT(md, HasSubstr("- Resultatmål\n"));
  EXPECT_THAT(md, HasSubstr("- Seneste værdi: 51,5" + kNbsp + "% (2009)\n"));
  EXPECT_THAT(md,
              HasSubstr("- Mål: mindst 60" + kNbsp + "% senest 31.12.2012\n"));
  EXPECT_THAT(md, HasSubstr("- Udvikling: bedre\n"));
  EXPECT_THAT(
      md, HasSubstr("- Prognose: 61,4" + kNbsp + "% ved fristen 31.12.2012\n"));
  EXPECT_THAT(md, HasSubstr("- Datakilde: Danmarks Statistik, RAS200\n"));
  EXPECT_THAT(md, HasSubstr("- Ansvarligt udvalg: Beskæftigelsesudvalget\n"));
  EXPECT_THAT(md, HasSubstr("- Status: ⚠\ufe0e **i risiko**"));
  EXPECT_THAT(md, HasSubstr("- Seneste værdi: 13" + kNbsp +
                            "iværksættere (4. kvartal 2009)\n"));
  EXPECT_THAT(md, HasSubstr("- Status: ↘ **ikke på vej**"));
  EXPECT_THAT(md, HasSubstr("- Udvikling: dårligere\n"));
  EXPECT_THAT(md, HasSubstr("- Prognose: ingen prognose\n"));
}

TEST(RenderReportMarkdownTest, ParityShowsBothGroups) {
  std::string md = RenderReportMarkdown(SampleReport());
  EXPECT_THAT(md,
              HasSubstr("- Seneste værdi: målgruppen 55,25" + kNbsp +
                        "%, sammenligningsgruppen 83" + kNbsp + "% (2009)\n"));
  EXPECT_THAT(md,
              HasSubstr("| Periode | Målgruppe | Sammenligningsgruppe |\n"));
  EXPECT_THAT(md,
              HasSubstr("| 2008 | 56" + kNbsp + "% | 82,5" + kNbsp + "% |\n"));
}

TEST(RenderReportMarkdownTest, OutcomesComeBeforeActivities) {
  std::string md = RenderReportMarkdown(SampleReport());
  size_t area = At(md, "## Beskæftigelse");
  EXPECT_LT(md.find("- Resultatmål", area), md.find("- Aktivitetsmål", area));
}

TEST(RenderReportMarkdownTest, EveryStatusWord) {
  v1::FollowUpReport report;
  v1::CriterionSection* criterion = report.add_focus_areas()->add_criteria();
  for (v1::Status s :
       {v1::STATUS_ACHIEVED, v1::STATUS_ON_TRACK, v1::STATUS_AT_RISK,
        v1::STATUS_OFF_TRACK, v1::STATUS_MISSED, v1::STATUS_NO_DATA}) {
    criterion->add_indicators()->mutable_status()->set_status(s);
  }
  std::string md = RenderReportMarkdown(report);
  for (const char* word : {"opfyldt", "på vej", "i risiko", "ikke på vej",
                           "ikke opfyldt", "ingen data"}) {
    EXPECT_THAT(md, HasSubstr(std::string("**") + word + "**")) << word;
  }
}

TEST(RenderReportMarkdownTest, EscapesTextFromTheReport) {
  v1::FollowUpReport report = SampleReport();
  report.set_display_name("Redegørelse <script>alert('x')</script>");
  report.mutable_focus_areas(0)
      ->mutable_criteria(0)
      ->mutable_indicators(0)
      ->mutable_indicator()
      ->set_display_name("*Fed* | [link](javascript:x)");
  std::string md = RenderReportMarkdown(report);
  EXPECT_THAT(md,
              HasSubstr("# Redegørelse \\<script\\>alert('x')\\</script\\>"));
  EXPECT_THAT(md, Not(HasSubstr("<script>")));
  EXPECT_THAT(md, HasSubstr("#### \\*Fed\\* \\| \\[link\\](javascript:x)\n"));
}

TEST(RenderReportMarkdownTest, DefaultTitleAndLeftoverSection) {
  std::vector<IndicatorData> indicators = testdata::MakeIndicators();
  IndicatorData old = testdata::Indicator(
      "dansk", "Bestået danskprøve", v1::INDICATOR_KIND_MILESTONE,
      v1::MEASURE_TYPE_OUTCOME, {"crit-fjernet"}, v1::STATUS_NO_DATA);
  old.indicator.mutable_criteria(0)->set_criterion_text(
      "Flere består danskprøven");
  indicators.push_back(old);
  std::string md = RenderReportMarkdown(BuildFollowUpReport(
      testdata::MakePolicy(), indicators, testdata::AsOf()));
  EXPECT_EQ(md.rfind("# Årlig redegørelse 2009\n", 0), 0u);
  EXPECT_THAT(md, HasSubstr("- Opgjort pr. 31. december 2009\n"));
  EXPECT_THAT(md, HasSubstr("| Øvrige indikatorer | 1 | 0 | 0 | 0 | 0 | 0 | "
                            "1 |\n"));
  EXPECT_LT(At(md, "\n## Børn og unge\n"), At(md, "\n## Øvrige indikatorer\n"));
  EXPECT_THAT(md, HasSubstr("### Tidligere succeskriterium: Flere består "
                            "danskprøven\n"));
  EXPECT_THAT(md, HasSubstr("- Status: ○ **ingen data**"));
}

TEST(RenderReportMarkdownTest, EmptyReportSaysSo) {
  std::string md = RenderReportMarkdown(
      BuildFollowUpReport(testdata::MakePolicy(), {}, testdata::AsOf()));
  EXPECT_THAT(md, HasSubstr("| **I alt** | **0** |"));
  EXPECT_THAT(md, HasSubstr("Politikken har ingen indikatorer."));
}

}  // namespace
}  // namespace kommune::followup
