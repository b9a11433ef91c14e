// The follow-up report as HTML: one self-contained, accessible, printable
// page. The browser test checks that Chromium renders it.
#include "services/followup/report_html.h"

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/followup/report_builder.h"
#include "services/followup/report_chart.h"
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

std::vector<std::string> All(const std::string& text, const std::string& re) {
  std::vector<std::string> out;
  std::regex pattern(re);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    out.push_back(it->size() > 1 ? (*it)[1].str() : it->str());
  }
  return out;
}

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(RenderReportHtmlTest, IsOneSelfContainedDanishPage) {
  std::string html = RenderReportHtml(SampleReport());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"da\">", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html,
              HasSubstr("<title>Årlig redegørelse 2009 – Integrationspolitik "
                        "2009–2012</title>"));
  EXPECT_EQ(Count(html, "<style>"), 1);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("http")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(All(html, "src=\"([^\"]*)\""), ::testing::IsEmpty());
  for (const std::string& href : All(html, "href=\"([^\"]*)\"")) {
    EXPECT_EQ(href.rfind("#", 0), 0u) << href;  // in-page links only
  }
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
}

TEST(RenderReportHtmlTest, IsDeterministic) {
  EXPECT_EQ(RenderReportHtml(SampleReport()), RenderReportHtml(SampleReport()));
}

TEST(RenderReportHtmlTest, PrintsWell) {
  std::string html = RenderReportHtml(SampleReport());
  EXPECT_THAT(html, HasSubstr("@media print"));
  EXPECT_THAT(html, HasSubstr("@page"));
  EXPECT_THAT(html, HasSubstr("break-inside: avoid"));
  EXPECT_THAT(html, HasSubstr("page-break-before: always"));
  EXPECT_THAT(html, HasSubstr("background: #fff;"));
}

TEST(RenderReportHtmlTest, HeadingsNeverSkipALevel) {
  std::string html = RenderReportHtml(SampleReport());
  std::vector<std::string> levels = All(html, "<h([1-6])[ >]");
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(levels.front(), "1");
  EXPECT_EQ(Count(html, "<h1"), 1);
  for (size_t i = 1; i < levels.size(); ++i) {
    EXPECT_LE(std::stoi(levels[i]), std::stoi(levels[i - 1]) + 1) << i;
  }
}

TEST(RenderReportHtmlTest, SectionsInReportOrderOutcomesFirst) {
  std::string html = RenderReportHtml(SampleReport());
  std::vector<std::string> h2 =
      All(html, "<h2[^>]*>(?:<span[^>]*>[^<]*</span>)?([^<]*)</h2>");
  EXPECT_THAT(
      h2, ::testing::ElementsAre("Overblik", "Beskæftigelse &amp; uddannelse",
                                 "Børn og unge"));
  std::vector<std::string> h4 = All(html, "<h4[^>]*>([^<]*)</h4>");
  EXPECT_THAT(h4,
              ::testing::ElementsAre("Beskæftigelsesfrekvens for indvandrere",
                                     "Etniske iværksættere etableret",
                                     "Etniske iværksættere etableret",
                                     "Unge med ungdomsuddannelse"));
  EXPECT_LT(html.find("Resultatmål</span>"), html.find("Aktivitetsmål</span>"));
}

TEST(RenderReportHtmlTest, CountsTableHasScopedHeaders) {
  std::string html = RenderReportHtml(SampleReport());
  // Every header cell (not <thead>) says what it heads.
  EXPECT_EQ(All(html, "<th[ >]").size(),
            All(html, "<th scope=\"(?:col|row)\"").size());
  EXPECT_GT(All(html, "<th[ >]").size(), 30u);
  EXPECT_THAT(html, HasSubstr("<caption>Indikatorernes status pr. "
                              "indsatsområde</caption>"));
  EXPECT_THAT(html, HasSubstr("<tr><th scope=\"row\">I alt</th><td>3</td><td "
                              "class=\"zero\">0</td><td>1</td><td>1</td><td>1"
                              "</td>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\"><a href=\"#omraade-1\">"
                              "Beskæftigelse &amp; uddannelse</a></th>"
                              "<td>2</td>"));
  EXPECT_THAT(html, HasSubstr("id=\"omraade-1\""));
}

TEST(RenderReportHtmlTest, StatusIsAWordAndASymbolBesidesColour) {
  std::string html = RenderReportHtml(SampleReport());
  EXPECT_THAT(html, HasSubstr("<span class=\"status s-on-track\"><span "
                              "class=\"icon\" aria-hidden=\"true\">↗</span> "
                              "på vej</span>"));
  EXPECT_THAT(html, HasSubstr("aria-hidden=\"true\">⚠\ufe0e</span> i risiko"));
  EXPECT_THAT(html, HasSubstr("aria-hidden=\"true\">↘</span> ikke på vej"));
  // The legend names all six.
  for (const char* word : {"opfyldt", "på vej", "i risiko", "ikke på vej",
                           "ikke opfyldt", "ingen data"}) {
    EXPECT_THAT(html, HasSubstr(absl::StrCat("</span> ", word, "</span></dt>")))
        << word;
  }
}

TEST(RenderReportHtmlTest, IndicatorFacts) {
  std::string html = RenderReportHtml(SampleReport());
  EXPECT_THAT(html, HasSubstr("<dt>Seneste værdi</dt><dd>51,5" + kNbsp +
                              "% (2009)</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Mål</dt><dd>mindst 60" + kNbsp +
                              "% senest 31.12.2012</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Udvikling</dt><dd>bedre</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Prognose</dt><dd>61,4" + kNbsp +
                              "% ved fristen 31.12.2012</dd>"));
}

TEST(RenderReportHtmlTest, EveryChartIsAnAccessibleImageWithData) {
  std::string html = RenderReportHtml(SampleReport());
  int charts = Count(html, "<svg");
  EXPECT_EQ(charts, 4);
  EXPECT_EQ(Count(html, "<svg class=\"chart\" role=\"img\""), charts);
  EXPECT_EQ(Count(html, "<table class=\"data\">"), charts);
  // aria-labelledby names the chart's own title and desc.
  std::vector<std::string> ids =
      All(html, "aria-labelledby=\"([^\" ]*)-title [^\"]*-desc\"");
  ASSERT_EQ(ids.size(), 4u);
  for (const std::string& id : ids) {
    EXPECT_THAT(html, HasSubstr("<title id=\"" + id + "-title\">Udvikling: "));
    EXPECT_THAT(html, HasSubstr("<desc id=\"" + id + "-desc\">Målgruppen: "));
  }
  // The numbers in words, with decimal commas.
  EXPECT_THAT(html, HasSubstr("<desc id=\"indikator-1-desc\">Målgruppen: "
                              "2007: 46,2" +
                              kNbsp + "%; 2008: 48" + kNbsp + "%; 2009: 51,5" +
                              kNbsp + "%. Mål: mindst 60" + kNbsp +
                              "% senest 31.12.2012. Prognose: 61,4" + kNbsp +
                              "% ved fristen 31.12.2012. Status: på "
                              "vej.</desc>"));
  EXPECT_THAT(html, HasSubstr("Sammenligningsgruppen: 2006: 80" + kNbsp +
                              "%; 2007: 81" + kNbsp + "%; 2008: 82,5"));
  EXPECT_THAT(html, HasSubstr("<tr><th scope=\"row\">2008</th><td>56</td>"
                              "<td>82,5</td></tr>"));
}

TEST(RenderReportHtmlTest, ChartsDrawTargetDeadlineAndReference) {
  std::string html = RenderReportHtml(SampleReport());
  EXPECT_THAT(html, HasSubstr(">Mål 60" + kNbsp + "%</text>"));
  EXPECT_THAT(html, HasSubstr(">Mål 30" + kNbsp + "iværksættere</text>"));
  EXPECT_THAT(html, HasSubstr(">Frist 31.12.2012</text>"));
  EXPECT_THAT(html, HasSubstr(">Frist 31.12.2010</text>"));
  // Axis labels: periods and values.
  EXPECT_THAT(html, HasSubstr(">K4 2009</text>"));
  EXPECT_THAT(html, HasSubstr(">2011</text>"));
  EXPECT_THAT(html, HasSubstr(">80</text>"));
  // The reference group is dashed; only the parity chart has one.
  EXPECT_EQ(Count(html, "stroke-dasharray=\"7 5\" points="), 1);
  EXPECT_THAT(html, HasSubstr(">Sammenligningsgruppe</text>"));
}

TEST(RenderReportHtmlTest, EscapesAllText) {
  v1::FollowUpReport report = SampleReport();
  report.set_display_name("<script>alert('x')</script>");
  report.set_policy_title("Politik & \"plan\"");
  report.mutable_focus_areas(0)->set_title("<b>Fed</b>");
  v1::IndicatorSection* section =
      report.mutable_focus_areas(0)->mutable_criteria(0)->mutable_indicators(0);
  section->mutable_indicator()->set_display_name("<img src=x onerror=y>");
  section->mutable_indicator()->set_unit("<u>");
  std::string html = RenderReportHtml(report);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, Not(HasSubstr("<u>")));
  EXPECT_THAT(html, HasSubstr("<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/"
                              "script&gt;</h1>"));
  EXPECT_THAT(html, HasSubstr("Politik &amp; &quot;plan&quot;"));
  EXPECT_THAT(html, HasSubstr("<title id=\"indikator-1-title\">Udvikling: "
                              "&lt;img src=x onerror=y&gt;</title>"));
}

TEST(RenderReportHtmlTest, IndicatorsWithoutChartsSaySo) {
  v1::FollowUpReport report = SampleReport();
  v1::CriterionSection* criterion =
      report.mutable_focus_areas(1)->mutable_criteria(0);
  v1::IndicatorSection* milestone = criterion->add_indicators();
  milestone->mutable_indicator()->set_display_name("Handleplan vedtaget");
  milestone->mutable_indicator()->set_kind(v1::INDICATOR_KIND_MILESTONE);
  v1::SeriesPoint* p = milestone->add_points();
  p->set_period("2009");
  p->set_value(1);
  v1::IndicatorSection* empty = criterion->add_indicators();
  empty->mutable_indicator()->set_display_name("Ny indikator");
  empty->mutable_indicator()->set_kind(v1::INDICATOR_KIND_SHARE_AT_LEAST);
  EXPECT_EQ(RenderIndicatorChart(*milestone, "m"), "");
  EXPECT_EQ(RenderIndicatorChart(*empty, "e"), "");
  std::string html = RenderReportHtml(report);
  EXPECT_EQ(Count(html, "<svg"), 4);
  EXPECT_EQ(Count(html, "Ingen målinger endnu."), 1);
}

TEST(RenderIndicatorChartTest, SummedCountsChartTheRunningTotal) {
  v1::IndicatorSection section;
  v1::Indicator* ind = section.mutable_indicator();
  ind->set_display_name("Forløb");
  ind->set_kind(v1::INDICATOR_KIND_COUNT_BY_DEADLINE);
  ind->set_aggregation(v1::AGGREGATION_SUM);
  ind->set_reporting_period(v1::REPORTING_PERIOD_YEAR);
  ind->mutable_target()->set_value(1500);
  for (auto [period, value] : std::vector<std::pair<const char*, double>>{
           {"2008", 400}, {"2009", 700}}) {
    v1::SeriesPoint* p = section.add_points();
    p->set_period(period);
    p->set_value(value);
  }
  std::string svg = RenderIndicatorChart(section, "s");
  EXPECT_THAT(svg, HasSubstr("Målgruppen, opsummeret: 2008: 400; 2009: "
                             "1.100."));
  EXPECT_THAT(svg, HasSubstr(">Målgruppe, i alt</text>"));
  EXPECT_THAT(svg, HasSubstr(">1.500</text>"));  // axis reaches the target
  EXPECT_THAT(svg, Not(HasSubstr("Frist")));     // no deadline set
}

}  // namespace
}  // namespace kommune::followup
