#include "services/policy/domain/markdown_export.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/policy/domain/content_ids.h"
#include "services/policy/domain/criterion_reading.h"
#include "services/policy/domain/test_fixtures.h"
#include "services/policy/domain/text_import.h"

namespace kommune::policy {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

void ExpectSame(const google::protobuf::Message& want,
                const google::protobuf::Message& got) {
  MessageDifferencer differ;
  std::string report;
  differ.ReportDifferencesToString(&report);
  EXPECT_TRUE(differ.Compare(want, got)) << report;
}

v1::Policy Policy001() {
  auto r = ImportPolicyText(testing::ReadFixture(testing::kPolicy001));
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->policy : v1::Policy();
}

TEST(ExportMarkdownTest, Policy001ReadsLikeTheSource) {
  std::string md = ExportMarkdown(Policy001());
  EXPECT_THAT(md, StartsWith("# Høje-Taastrup Kommunes integrationspolitik\n"));
  EXPECT_THAT(md, HasSubstr("\n## Vision\n\n- At etniske minoriteter kan "));
  EXPECT_THAT(md, HasSubstr("\n### Bolig <!-- id: theme-1 -->\n"));
  EXPECT_THAT(md, HasSubstr("\n1. At forbedre vilkårene og mulighederne for "
                            "beboerne <!-- id: strategy-1-1 -->\n"));
  EXPECT_THAT(md, HasSubstr("\n##### Ad 1. At forbedre vilkårene og "
                            "mulighederne for beboerne"));
  EXPECT_THAT(md, HasSubstr("\n- 1b) At der fra og med 2007 etableres mindst "
                            "30 mentorordninger om året"));
  EXPECT_THAT(md, HasSubstr("*ESDH: sag 1166997, dok.nr. 1410354*"));
  // Bullets under an action item are a nested list.
  EXPECT_THAT(md, HasSubstr("\n  - Sprogtilegnelse af dansk som andetsprog\n"));
  EXPECT_TRUE(absl::EndsWith(md, "<!-- id: action-8-3 -->\n"))
      << md.substr(md.size() - 40);
  EXPECT_THAT(md, Not(HasSubstr("\n\n\n")));
}

TEST(ExportMarkdownTest, Policy001RoundTrips) {
  v1::Policy policy = Policy001();
  auto back = ImportPolicyText(ExportMarkdown(policy));
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSame(policy, back->policy);
}

TEST(ExportMarkdownTest, WithoutIdsThereAreNoCommentsAndTheSameStructure) {
  v1::Policy policy = Policy001();
  MarkdownOptions options;
  options.include_ids = false;
  std::string md = ExportMarkdown(policy, options);
  EXPECT_THAT(md, Not(HasSubstr("<!--")));
  auto back = ImportPolicyText(md);
  ASSERT_TRUE(back.ok()) << back.status();
  // Positional ids come out the same; the status line is read as text.
  v1::PolicyContent content = back->policy.content();
  ASSERT_EQ(content.intro_paragraphs_size(), 1);
  content.clear_intro_paragraphs();
  ExpectSame(policy.content(), content);
}

common::v1::Date Day(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// Every kind of element, and texts that look like structure.
v1::Policy Everything() {
  v1::Policy p;
  p.set_display_name("Integrationspolitik 2018-2021");
  p.set_state(v1::POLICY_STATE_IN_HEARING);
  *p.mutable_period()->mutable_start_date() = Day(2018, 1, 1);
  *p.mutable_period()->mutable_end_date() = Day(2021, 12, 31);
  p.mutable_esdh_case()->set_case_number("18/12386");
  p.mutable_kle_class()->set_subject("27.00.00");
  p.mutable_kle_class()->set_action_facet("G01");
  v1::PolicyContent* c = p.mutable_content();
  c->add_intro_paragraphs("Indledning.");
  c->add_intro_paragraphs("- en liste\n- i indledningen");
  c->add_intro_paragraphs("Vision");  // A keyword as plain text.
  c->add_intro_paragraphs("Linje et\nlinje to");
  c->add_vision_statements()->set_text("1. ikke et nummer");
  c->add_vision_statements()->set_text("# ikke en overskrift");
  v1::ObjectiveTheme* theme = c->add_objective_themes();
  theme->set_title("Handleplan");
  theme->add_objectives()->set_text("Ad 1. ikke et afsnit");
  theme->add_paragraphs("Fri tekst om temaet.");
  v1::FocusArea* job = c->add_focus_areas();
  job->set_title("Job");
  job->set_focus_text("Med fokus på job.");
  job->add_paragraphs("Ansvarlige: står her som tekst");
  auto* committee = job->add_responsible_committees();
  committee->set_kind(common::v1::BODY_KIND_COMMITTEE);
  committee->set_display_name("Udvalg for beskæftigelse og erhverv");
  job->add_responsible_committees()->set_display_name("Jobcentret");
  v1::FocusArea* family = c->add_focus_areas();
  family->set_title("Familie");
  family->add_paragraphs("Ingen fokustekst, kun et afsnit.");
  family->set_strategy_heading("Familie og job");
  family->add_joined_focus_area_ids("focus-area-1");
  family->add_strategy_paragraphs("Vi vil:");
  v1::Strategy* s1 = family->add_strategies();
  s1->set_number(1);
  s1->set_text("Hele familien");
  s1->set_heading_text("Hele familien, også bedsteforældre");
  s1->add_paragraphs("Et afsnit i strategien.");
  v1::ActionItem* labelled = s1->add_action_items();
  labelled->set_label("1a");
  labelled->set_text("Mål: flere i job");
  labelled->add_paragraphs("Aktiviteter: praktik");
  labelled->add_paragraphs("- punkt et\n- punkt to");
  labelled->add_success_criteria()->set_text("I 2019 er 20 i job.");
  v1::ActionItem* plain = s1->add_action_items();
  plain->set_text("1) ligner et mærke");
  plain->add_success_criteria()->set_text("Uden mærke, under et punkt.");
  v1::SuccessCriterion* clash = s1->add_success_criteria();
  clash->set_label("1a");
  clash->set_text("Samme mærke, men under strategien.");
  s1->add_success_criteria()->set_text("Første afsnit.\n\nAndet afsnit.");
  v1::Strategy* s0 = family->add_strategies();
  s0->set_text("- unummereret");
  s0->add_action_items()->set_text("handling");
  family->add_closing_paragraphs("Afslutning.");
  family->add_action_items()->set_text("Fælles handling");
  family->add_success_criteria()->set_text("Fælles kriterium inden 2020.");
  v1::FocusArea* bare = c->add_focus_areas();
  bare->set_title("Uden strategier");
  bare->add_strategy_paragraphs("Indledning til ingenting.");
  bare->add_closing_paragraphs("Afslutning --> med pil -->");
  bare->add_closing_paragraphs("1\\. ligner en undvigelse");
  v1::BudgetLine* budget = c->add_budget_lines();
  budget->set_initiative("Lektiehjælp · café");
  budget->set_year(2019);
  budget->mutable_amount()->set_amount_ore(-12345678);
  budget->set_funding(v1::BudgetLine::FUNDING_STATE_FUNDED);
  v1::Attachment* attachment = c->add_attachments();
  attachment->set_title("Handleplan for tosprogsområdet (ver. 2)");
  attachment->mutable_document()->set_case_number("18/12386");
  attachment->mutable_document()->set_document_number("1212017");
  attachment->mutable_document()->set_title("Titel; med --> tegn");
  attachment->mutable_document()->mutable_kle_class()->set_subject("27.00.00");
  c->add_attachments()->set_title("Uden dokument");
  v1::CitizenMeeting* meeting = c->add_citizen_meetings();
  *meeting->mutable_date() = Day(2006, 10, 25);
  meeting->set_place("Rådhuset; sal 1");
  meeting->set_participant_count(75);
  meeting->add_paragraphs("Debat om forældresamarbejde.");
  meeting->add_paragraphs("- punkt\n- punkt igen");
  meeting->mutable_summary_document()->set_document_number("1396992");
  v1::CitizenProposal* proposal = meeting->add_proposals();
  proposal->set_text("Faste borgermøder");
  proposal->set_landing_note("Skrevet ind under Samfundsliv.");
  proposal->add_landed_in_element_ids("focus-area-2");
  proposal->add_landed_in_element_ids("strategy-2-1");
  meeting->add_proposals()->set_text("Indarbejdet: ligner en note");
  v1::Section* section = c->add_extra_sections();
  section->set_heading("Målsætninger");
  section->add_paragraphs("Et afsnit.");
  c->add_extra_sections()->set_heading("Økonomi");
  AssignMissingIds(c);
  c->mutable_budget_lines(0)->set_element_id("strategy-2-1");
  ProposeReadings(c);
  EXPECT_TRUE(ValidateContent(*c).ok()) << ValidateContent(*c);
  return p;
}

TEST(ExportMarkdownTest, EveryKindOfElementRoundTrips) {
  v1::Policy policy = Everything();
  std::string md = ExportMarkdown(policy);
  auto back = ImportPolicyText(md);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << md;
  ExpectSame(policy, back->policy);
  if (HasFailure()) ADD_FAILURE() << md;
}

TEST(ExportMarkdownTest, CitizenFriendlyRenderings) {
  std::string md = ExportMarkdown(Everything());
  EXPECT_THAT(md, HasSubstr("*Status: i høring · Periode: 1. januar 2018 – "
                            "31. december 2021 · ESDH: sag 18/12386 · KLE: "
                            "27.00.00 G01*"));
  EXPECT_THAT(md, HasSubstr("- 2019 · Lektiehjælp · café · -123.456,78 kr. · "
                            "statsfinansieret"));
  EXPECT_THAT(md, HasSubstr("### Borgermøde 25. oktober 2006, Rådhuset; sal 1 "
                            "(ca. 75 deltagere)"));
  EXPECT_THAT(md, HasSubstr("Ansvarlige: Udvalg for beskæftigelse og erhverv "
                            "(udvalg); Jobcentret\n"));
  EXPECT_THAT(md, HasSubstr("\n- 1\\. ikke et nummer"));
  EXPECT_THAT(md, HasSubstr("\n\\- en liste  \n\\- i indledningen\n"));
  EXPECT_THAT(md, HasSubstr("\n- \\- unummereret"));
  EXPECT_THAT(md, HasSubstr("\n##### Ad: - unummereret"));
}

// Whatever the importer makes of a document, even a scrambled one, the
// Markdown export reads back to exactly that.
TEST(ExportMarkdownTest, RoundTripsWhatTheImporterMakesOfScrambledText) {
  std::string source = testing::ReadFixture(testing::kPolicy001);
  std::vector<std::string> lines = absl::StrSplit(source, '\n');
  std::vector<std::string> md_lines =
      absl::StrSplit(ExportMarkdown(Policy001()), '\n');
  static constexpr const char* kTokens[] = {"#",
                                            "- ",
                                            "* ",
                                            "1. ",
                                            "1a)",
                                            " ",
                                            "\n",
                                            "\n\n",
                                            "\t",
                                            "Ad 1. ",
                                            ":",
                                            "Handleplan",
                                            "Strategi",
                                            "Succeskriterier",
                                            "Vision",
                                            "Bilag",
                                            "Borgermøder",
                                            "Å",
                                            "<!-- id: x -->",
                                            "<!-- of: y -->",
                                            "\\",
                                            "-->",
                                            "Med fokus",
                                            "Ansvarlige:",
                                            "Indarbejdet:",
                                            "2008 · ",
                                            "kr.",
                                            "ord",
                                            "  ",
                                            "Øvrige afsnit"};
  std::mt19937 rng(20240611);
  int imported = 0;
  for (int i = 0; i < 400; ++i) {
    std::string text;
    if (i % 2 == 0) {
      std::vector<std::string> l = i % 4 == 0 ? lines : md_lines;
      for (int k = 0; k < 8; ++k)
        std::swap(l[rng() % l.size()], l[rng() % l.size()]);
      text = absl::StrJoin(l, "\n");
    } else {
      for (int k = rng() % 120; k > 0; --k) text += kTokens[rng() % 30];
    }
    auto first = ImportPolicyText(text);
    if (!first.ok()) continue;  // Duplicate ids and the like.
    ++imported;
    auto again = ImportPolicyText(ExportMarkdown(first->policy));
    ASSERT_TRUE(again.ok()) << again.status() << "\n" << text;
    MessageDifferencer differ;
    std::string report;
    differ.ReportDifferencesToString(&report);
    ASSERT_TRUE(differ.Compare(first->policy, again->policy))
        << report << "\ninput:\n"
        << text;
  }
  EXPECT_GT(imported, 200);
}

TEST(ExportMarkdownTest, EmptyPolicy) {
  v1::Policy empty;
  empty.set_display_name("Tom");
  EXPECT_EQ(ExportMarkdown(empty), "# Tom\n");
  auto back = ImportPolicyText(ExportMarkdown(empty));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->policy.display_name(), "Tom");
}

}  // namespace
}  // namespace kommune::policy
