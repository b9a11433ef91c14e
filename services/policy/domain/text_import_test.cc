#include "services/policy/domain/text_import.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "services/policy/domain/markdown_format.h"
#include "services/policy/domain/test_fixtures.h"

namespace kommune::policy {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

ImportResult Import001() {
  auto result = ImportPolicyText(testing::ReadFixture(testing::kPolicy001));
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : ImportResult{};
}

// Every string anywhere in the message, one per line.
void CollectText(const Message& m, std::string* out) {
  const auto* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      if (f->type() == FieldDescriptor::TYPE_STRING) {
        *out += f->is_repeated() ? r->GetRepeatedString(m, f, i)
                                 : r->GetString(m, f);
        *out += '\n';
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        CollectText(f->is_repeated() ? r->GetRepeatedMessage(m, f, i)
                                     : r->GetMessage(m, f),
                    out);
      }
    }
  }
}

// The words a source line carries once its list marker, number, label or
// "Ad 1." prefix is taken off; "" for structure only.
std::string Essential(absl::string_view raw) {
  std::string line(absl::StripAsciiWhitespace(raw));
  if (line.empty() || absl::StrContains(line, '\t') ||
      markdown::ClassifyKeyword(line) != markdown::Keyword::kNone) {
    return "";
  }
  absl::string_view s = line;
  if (!absl::ConsumePrefix(&s, "- ")) absl::ConsumePrefix(&s, "• ");
  size_t digits = 0;
  while (digits < s.size() && absl::ascii_isdigit(s[digits])) ++digits;
  if (digits > 0 && digits <= 3 && s.size() > digits + 1 && s[digits] == '.' &&
      s[digits + 1] == ' ') {
    s.remove_prefix(digits + 2);
  }
  std::string label, rest;
  if (markdown::SplitLabel(s, &label, &rest)) return rest;
  if (auto ad = markdown::ParseAdHeading(s)) return ad->text;
  return std::string(s);
}

// Every line of the source document is found in the imported policy.
void ExpectNothingLost(const std::string& source, const ImportResult& result) {
  std::string haystack;
  CollectText(result.policy, &haystack);
  for (const auto& [label, value] : result.header) {
    haystack += label + "\n" + value + "\n";
  }
  int checked = 0;
  for (absl::string_view line : absl::StrSplit(source, '\n')) {
    std::string words = Essential(line);
    if (words.empty()) continue;
    ++checked;
    // "Title (1410354)" is kept as a title and a document number.
    size_t open = words.rfind(" (");
    if (!absl::StrContains(haystack, words) && open != std::string::npos &&
        absl::EndsWith(words, ")")) {
      EXPECT_TRUE(
          absl::StrContains(haystack, words.substr(0, open)) &&
          absl::StrContains(haystack,
                            words.substr(open + 2, words.size() - open - 3)))
          << "lost: " << words;
      continue;
    }
    EXPECT_TRUE(absl::StrContains(haystack, words)) << "lost: " << words;
  }
  EXPECT_GT(checked, 10);
}

TEST(ImportPolicyTextTest, Policy001TitleAndHeader) {
  ImportResult r = Import001();
  EXPECT_EQ(r.policy.display_name(),
            "Høje-Taastrup Kommunes integrationspolitik");
  EXPECT_EQ(r.policy.esdh_case().case_number(), "1166997");
  EXPECT_EQ(r.policy.esdh_case().document_number(), "1410354");
  EXPECT_THAT(
      r.header,
      ElementsAre(Pair("Dato", "15. november 2006"),
                  Pair("Sagsbehandler", "IngerKae"), Pair("J. nr.", "00"),
                  Pair("SagsID", "1166997"), Pair("Dok.nr.", "1410354")));
  EXPECT_EQ(r.policy.content().intro_paragraphs_size(), 0);
  EXPECT_EQ(r.policy.content().extra_sections_size(), 0);
}

TEST(ImportPolicyTextTest, Policy001VisionAndObjectives) {
  const v1::PolicyContent c = Import001().policy.content();
  ASSERT_EQ(c.vision_statements_size(), 5);
  EXPECT_EQ(c.vision_statements(4).id(), "vision-5");
  EXPECT_EQ(c.vision_statements(4).text(),
            "At alle flygtninge og indvandrere taler og forstår dansk");
  std::vector<std::pair<std::string, int>> themes;
  for (const auto& t : c.objective_themes()) {
    themes.emplace_back(t.title(), t.objectives_size());
  }
  EXPECT_THAT(themes,
              ElementsAre(Pair("Bolig", 1), Pair("Børn og unge", 4),
                          Pair("Selvforsørgelse og danskkundskaber", 4),
                          Pair("Ældre", 1),
                          Pair("Samfundsliv, medborgerskab og netværk", 1)));
  EXPECT_EQ(c.objective_themes(1).objectives(3).id(), "objective-2-4");
}

TEST(ImportPolicyTextTest, Policy001FocusAreas) {
  const v1::PolicyContent c = Import001().policy.content();
  ASSERT_EQ(c.focus_areas_size(), 8);
  for (const auto& fa : c.focus_areas()) {
    EXPECT_THAT(fa.focus_text(), StartsWith("Med ")) << fa.title();
  }
  EXPECT_EQ(c.focus_areas(0).title(), "Den boligsociale indsats");
  EXPECT_EQ(c.focus_areas(6).title(), "Sundhedsforhold");
  EXPECT_THAT(c.focus_areas(6).focus_text(), StartsWith("Med særlig fokus"));
  std::vector<int> strategies;
  for (const auto& fa : c.focus_areas())
    strategies.push_back(fa.strategies_size());
  EXPECT_THAT(strategies, ElementsAre(4, 3, 0, 4, 3, 2, 2, 5));
}

TEST(ImportPolicyTextTest, Policy001Housing) {
  const v1::FocusArea fa = Import001().policy.content().focus_areas(0);
  EXPECT_THAT(fa.strategy_paragraphs(),
              ElementsAre("Den boligsociale indsats skal i de kommende år "
                          "fokusere på:"));
  ASSERT_EQ(fa.strategies_size(), 4);
  const v1::Strategy& ad1 = fa.strategies(0);
  EXPECT_EQ(ad1.id(), "strategy-1-1");
  EXPECT_EQ(ad1.number(), 1);
  EXPECT_EQ(ad1.heading_text(), "");  // "Ad 1." repeats the text exactly.
  EXPECT_EQ(ad1.action_items_size(), 4);
  ASSERT_EQ(ad1.success_criteria_size(), 5);
  EXPECT_EQ(ad1.success_criteria(4).id(), "criterion-1-1-5");
  EXPECT_EQ(ad1.success_criteria(4).text(),
            "At 40 etniske iværksættere er blevet etableret inden 2010.");
  EXPECT_EQ(ad1.success_criteria(4).proposed_reading().target_value(), 40);
  // "Ad 3." words the strategy differently; both are kept.
  EXPECT_EQ(fa.strategies(2).text(),
            "At forhindre, at problemerne koncentrerer sig i bestemte "
            "boligområder");
  EXPECT_EQ(
      fa.strategies(2).heading_text(),
      "At forhindre, at problemerne koncentrerer i bestemte boligområder");
  // "Ad. 4." with its odd dot, and a criterion that starts "Handleplan".
  EXPECT_EQ(fa.strategies(3).success_criteria_size(), 3);
  EXPECT_THAT(fa.strategies(3).success_criteria(1).text(),
              StartsWith("Handleplan for fremme"));
}

TEST(ImportPolicyTextTest, Policy001MergedChildrenAndYouthHeading) {
  ImportResult r = Import001();
  const v1::FocusArea& children = r.policy.content().focus_areas(1);
  EXPECT_EQ(children.title(), "Børn i daginstitutioner og skole");
  EXPECT_EQ(children.strategy_heading(),
            "Børn i daginstitutioner og skole samt unge, herunder funktionelle "
            "analfabeter og/eller utilpassede");
  EXPECT_THAT(children.joined_focus_area_ids(), ElementsAre("focus-area-3"));
  ASSERT_THAT(r.notes, ElementsAre(HasSubstr("focus-area-3")));
  // The "Ad 1)" sections sit under one "Handleplan" heading: their
  // paragraphs are the action plan.
  EXPECT_EQ(children.strategies(0).action_items_size(), 3);
  const v1::Strategy& plan = children.strategies(1);
  ASSERT_EQ(plan.action_items_size(), 2);
  EXPECT_THAT(plan.action_items(0).text(), HasSubstr("kvalificering af:"));
  ASSERT_EQ(plan.action_items(0).paragraphs_size(), 1);
  EXPECT_THAT(plan.action_items(0).paragraphs(0),
              StartsWith("- Sprogtilegnelse af dansk som andetsprog\n- "));
  std::vector<std::string> bullets =
      absl::StrSplit(plan.action_items(0).paragraphs(0), '\n');
  EXPECT_EQ(bullets.size(), 6u);
}

TEST(ImportPolicyTextTest, Policy001EmploymentLabelsTieCriteriaToItems) {
  const v1::FocusArea fa = Import001().policy.content().focus_areas(3);
  EXPECT_EQ(fa.strategies(0).number(), 1);  // "- 1) At samle op ..."
  const v1::Strategy& s = fa.strategies(0);
  ASSERT_EQ(s.action_items_size(), 3);
  std::vector<std::pair<std::string, int>> items;
  for (const auto& a : s.action_items()) {
    items.emplace_back(a.label(), a.success_criteria_size());
  }
  // "1b)" on its own line is followed by four bulleted criteria.
  EXPECT_THAT(items, ElementsAre(Pair("1a", 1), Pair("1b", 4), Pair("1c", 1)));
  EXPECT_EQ(s.success_criteria_size(), 0);
  EXPECT_EQ(s.action_items(1).success_criteria(1).id(), "criterion-4-1-3");
  EXPECT_THAT(s.action_items(1).success_criteria(1).text(),
              HasSubstr("mindst 30 mentorordninger om året"));
  EXPECT_EQ(s.action_items(1).success_criteria(1).label(), "1b");
  EXPECT_EQ(s.action_items(2).success_criteria(0).proposed_reading().kind(),
            v1::MeasurableReading::KIND_SHARE_AT_LEAST);
  // "Ad 4)": a paragraph action plan and a "Succeskriterie:" paragraph.
  EXPECT_EQ(fa.strategies(3).action_items_size(), 1);
  EXPECT_EQ(fa.strategies(3).success_criteria_size(), 1);
}

TEST(ImportPolicyTextTest, Policy001LeisureItemsGatherTheirParagraphs) {
  const v1::FocusArea fa = Import001().policy.content().focus_areas(5);
  const v1::ActionItem& item = fa.strategies(1).action_items(0);
  EXPECT_EQ(item.label(), "2a");
  EXPECT_THAT(item.text(), StartsWith("Mål: Flere unge"));
  ASSERT_EQ(item.paragraphs_size(), 3);
  // The word broken over a page is whole again.
  EXPECT_THAT(item.paragraphs(0), HasSubstr("af sagsbehandlere, personale"));
  EXPECT_EQ(item.paragraphs(1),
            "De konkrete indsatser kan være på følgende områder:");
  EXPECT_THAT(item.paragraphs(2), StartsWith("- Formaliseret samarbejde"));
  EXPECT_EQ(item.success_criteria_size(), 1);
}

TEST(ImportPolicyTextTest, Policy001CommunityLifeHasPlainBulletStrategies) {
  const v1::FocusArea fa = Import001().policy.content().focus_areas(7);
  ASSERT_EQ(fa.strategies_size(), 5);
  for (const auto& s : fa.strategies()) EXPECT_EQ(s.number(), 0);
  EXPECT_EQ(fa.closing_paragraphs_size(), 1);
  EXPECT_THAT(fa.closing_paragraphs(0), StartsWith("Derudover"));
  ASSERT_EQ(fa.action_items_size(), 3);
  EXPECT_EQ(fa.action_items(0).id(), "action-8-1");
  EXPECT_EQ(fa.action_items(0).text(),
            "At borgermøder om integration bliver et fast tilbagevendende "
            "arrangement");
}

TEST(ImportPolicyTextTest, Policy001ElderlyAndHealth) {
  const v1::PolicyContent c = Import001().policy.content();
  const v1::FocusArea& elderly = c.focus_areas(4);
  EXPECT_THAT(elderly.strategies(0).heading_text(),
              HasSubstr("formidling af viden om sundhed"));
  // "Arbejdsgruppen har til formål:" keeps its two bullets.
  EXPECT_EQ(elderly.strategies(0).action_items_size(), 1);
  EXPECT_EQ(elderly.strategies(0).action_items(0).paragraphs_size(), 1);
  EXPECT_EQ(elderly.strategies(1).action_items_size(), 3);
  const v1::FocusArea& health = c.focus_areas(6);
  EXPECT_EQ(health.strategies(0).success_criteria_size(), 1);
  EXPECT_EQ(health.strategies(1).action_items_size(), 5);
}

TEST(ImportPolicyTextTest, Policy001LosesNoSentence) {
  std::string source = testing::ReadFixture(testing::kPolicy001);
  // The one word the source breaks over a page, which import joins.
  ASSERT_TRUE(absl::StrContains(source, "sagsbehand-\n\nlere"));
  std::string joined =
      absl::StrReplaceAll(source, {{"sagsbehand-\n\nlere", "sagsbehandlere"}});
  ExpectNothingLost(joined, Import001());
}

TEST(ImportPolicyTextTest, OtherDomainDocumentsLoseNothingEither) {
  for (const char* name :
       {"000_4c3bf02c7437d1a3.txt", "002_d3e7c28f428da9c1.txt",
        "003_324ffd75e87cebcf.txt"}) {
    SCOPED_TRACE(name);
    std::string source = testing::ReadFixture(name);
    auto r = ImportPolicyText(source);
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectNothingLost(source, *r);
  }
}

TEST(ImportPolicyTextTest, AgendaItemAttachmentsAndCaseIds) {
  auto r = ImportPolicyText(testing::ReadFixture("000_4c3bf02c7437d1a3.txt"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->policy.esdh_case().case_number(), "1166997");
  EXPECT_EQ(r->policy.esdh_case().document_number(), "1493196");
  EXPECT_EQ(r->policy.display_name(),
            "Revision af Høje-Taastrup Kommunes integrationspolitik");
  const auto& attachments = r->policy.content().attachments();
  ASSERT_EQ(attachments.size(), 3);
  EXPECT_EQ(attachments[0].title(),
            "Bilag 1.1 Høje-Taastrup Kommunes Integrationspolitik - samlet "
            "version");
  EXPECT_EQ(attachments[0].document().document_number(), "1410354");
  EXPECT_EQ(attachments[2].document().document_number(), "1396992");
}

TEST(ImportPolicyTextTest, HandWrittenMarkdown) {
  auto r = ImportPolicyText(R"(# Integrationspolitik 2018-2021

Indledende tekst.

## Vision

- Vi skaber løsninger sammen

## Indsatsområder

### Job og uddannelse

Med fokus på beskæftigelse.

Ansvarlige: Udvalg for beskæftigelse og erhverv (udvalg); Integrationsrådet (råd)

## Strategi, handleplaner og succeskriterier for de enkelte indsatsområder

### Job og uddannelse

#### Strategi

1. Flere i job

#### Handleplan og succeskriterier

##### Ad 1. Flere i job

###### Handleplan

- Virksomhedspraktik

###### Succeskriterier

- At 40 etniske iværksættere er blevet etableret inden 2010.
)");
  ASSERT_TRUE(r.ok()) << r.status();
  const v1::PolicyContent& c = r->policy.content();
  EXPECT_EQ(r->policy.display_name(), "Integrationspolitik 2018-2021");
  EXPECT_THAT(c.intro_paragraphs(), ElementsAre("Indledende tekst."));
  ASSERT_EQ(c.focus_areas_size(), 1);
  const v1::FocusArea& fa = c.focus_areas(0);
  EXPECT_EQ(fa.focus_text(), "Med fokus på beskæftigelse.");
  ASSERT_EQ(fa.responsible_committees_size(), 2);
  EXPECT_EQ(fa.responsible_committees(1).display_name(), "Integrationsrådet");
  EXPECT_EQ(fa.responsible_committees(1).kind(), common::v1::BODY_KIND_COUNCIL);
  ASSERT_EQ(fa.strategies_size(), 1);
  EXPECT_EQ(fa.strategies(0).action_items(0).text(), "Virksomhedspraktik");
  EXPECT_EQ(fa.strategies(0).success_criteria(0).id(), "criterion-1-1-1");
  EXPECT_EQ(fa.strategies(0).success_criteria(0).proposed_reading().kind(),
            v1::MeasurableReading::KIND_COUNT_BY_DEADLINE);
  EXPECT_TRUE(r->notes.empty());
}

TEST(ImportPolicyTextTest, TextThatFitsNowhereGoesToASection) {
  auto r = ImportPolicyText(
      "Politik\n\nVision\n\n- En vision\n\nMålsætninger\n\nLøs tekst før "
      "temaerne.\n\nBolig\n\n- Et mål\n\nStrategi, handleplaner og "
      "succeskriterier for de enkelte indsatsområder\n\nUkendt område\n\n"
      "Strategi\n\n1. En strategi\n");
  ASSERT_TRUE(r.ok()) << r.status();
  const v1::PolicyContent& c = r->policy.content();
  ASSERT_EQ(c.extra_sections_size(), 1);
  EXPECT_EQ(c.extra_sections(0).heading(), "Målsætninger");
  EXPECT_THAT(c.extra_sections(0).paragraphs(),
              ElementsAre("Løs tekst før temaerne."));
  // A strategy heading that matches no listed focus area makes one.
  ASSERT_EQ(c.focus_areas_size(), 1);
  EXPECT_EQ(c.focus_areas(0).title(), "Ukendt område");
  EXPECT_THAT(r->notes, ElementsAre(HasSubstr("matched no focus area")));
}

TEST(ImportPolicyTextTest, RefusesBadInput) {
  auto empty = ImportPolicyText("");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().message(), "text: no policy text found");
  EXPECT_FALSE(ImportPolicyText(" \n\t\n\r\n").ok());
  auto latin1 = ImportPolicyText("Vision\n\n- H\xF8je-Taastrup\n");
  EXPECT_EQ(latin1.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(latin1.status().message(), "text: is not valid UTF-8");
  auto nul = ImportPolicyText(std::string("Vision\n\n- a\0b", 13));
  EXPECT_THAT(std::string(nul.status().message()), HasSubstr("NUL"));
  ImportOptions small;
  small.max_bytes = 10;
  auto big = ImportPolicyText("Vision\n\n- en lang vision", small);
  EXPECT_THAT(std::string(big.status().message()),
              StartsWith("text: is 24 bytes; at most 10 are allowed"));
}

TEST(ImportPolicyTextTest, RefusesBadIdsInMarkdown) {
  auto duplicate = ImportPolicyText(
      "# T\n\n## Vision\n\n- a <!-- id: vision-1 -->\n- b <!-- id: vision-1 "
      "-->\n");
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(duplicate.status().message()),
              StartsWith("content.vision_statements[1].id: duplicate id "
                         "'vision-1'"));
  auto malformed =
      ImportPolicyText("# T\n\n## Vision\n\n- a <!-- id: Vision_1 -->\n");
  EXPECT_THAT(std::string(malformed.status().message()),
              StartsWith("content.vision_statements[0].id: 'Vision_1'"));
  auto dangling = ImportPolicyText(
      "# T\n\n## Indsatsområder\n\n### A <!-- id: a -->\n\n## Strategi, "
      "handleplaner og succeskriterier for de enkelte indsatsområder\n\n### A "
      "<!-- id: a; joins: b -->\n\n#### Strategi\n\n1. s\n");
  EXPECT_THAT(std::string(dangling.status().message()),
              StartsWith("content.focus_areas[0].joined_focus_area_ids[0]"));
  auto bad_date = ImportPolicyText(
      "# T\n\n## Borgermøder\n\n### Møde <!-- id: m; date: 2010-02-30 -->\n");
  EXPECT_THAT(std::string(bad_date.status().message()),
              StartsWith("content.citizen_meetings[0].date: "));
}

TEST(ImportPolicyTextTest, FormatCanBeForced) {
  ImportOptions plain;
  plain.format = TextFormat::kPlainText;
  auto r = ImportPolicyText("# Ikke en overskrift\n\nVision\n\n- a\n", plain);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->policy.display_name(), "# Ikke en overskrift");
  ImportOptions no_readings;
  no_readings.propose_readings = false;
  auto bare =
      ImportPolicyText(testing::ReadFixture(testing::kPolicy001), no_readings);
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->policy.content()
                   .focus_areas(0)
                   .strategies(0)
                   .success_criteria(0)
                   .has_proposed_reading());
}

}  // namespace
}  // namespace kommune::policy
