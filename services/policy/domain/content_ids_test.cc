#include "services/policy/domain/content_ids.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::policy {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Two focus areas; the second has two strategies, one with an item and
// criteria.
v1::PolicyContent Sample() {
  v1::PolicyContent c;
  c.add_vision_statements()->set_text("a");
  c.add_vision_statements()->set_text("b");
  v1::ObjectiveTheme* theme = c.add_objective_themes();
  theme->set_title("Bolig");
  theme->add_objectives()->set_text("o");
  c.add_focus_areas()->set_title("Bolig");
  v1::FocusArea* fa = c.add_focus_areas();
  fa->set_title("Børn");
  fa->add_strategies()->set_text("s1");
  v1::Strategy* s2 = fa->add_strategies();
  s2->set_text("s2");
  v1::ActionItem* item = s2->add_action_items();
  item->set_text("a1");
  item->add_success_criteria()->set_text("under item");
  s2->add_success_criteria()->set_text("direct");
  fa->add_action_items()->set_text("fa item");
  fa->add_success_criteria()->set_text("fa criterion");
  c.add_budget_lines()->set_initiative("x");
  c.add_attachments()->set_title("bilag");
  c.add_citizen_meetings()->add_proposals()->set_text("forslag");
  c.add_extra_sections()->set_heading("Øvrigt");
  return c;
}

TEST(AssignMissingIdsTest, GivesReadablePositionalIds) {
  v1::PolicyContent c = Sample();
  AssignMissingIds(&c);
  EXPECT_EQ(c.vision_statements(0).id(), "vision-1");
  EXPECT_EQ(c.vision_statements(1).id(), "vision-2");
  EXPECT_EQ(c.objective_themes(0).id(), "theme-1");
  EXPECT_EQ(c.objective_themes(0).objectives(0).id(), "objective-1-1");
  EXPECT_EQ(c.focus_areas(1).id(), "focus-area-2");
  const v1::Strategy& s2 = c.focus_areas(1).strategies(1);
  EXPECT_EQ(c.focus_areas(1).strategies(0).id(), "strategy-2-1");
  EXPECT_EQ(s2.id(), "strategy-2-2");
  EXPECT_EQ(s2.action_items(0).id(), "action-2-2-1");
  // Criteria are numbered across the strategy, items' criteria first.
  EXPECT_EQ(s2.action_items(0).success_criteria(0).id(), "criterion-2-2-1");
  EXPECT_EQ(s2.success_criteria(0).id(), "criterion-2-2-2");
  EXPECT_EQ(c.focus_areas(1).action_items(0).id(), "action-2-1");
  EXPECT_EQ(c.focus_areas(1).success_criteria(0).id(), "criterion-2-1");
  EXPECT_EQ(c.budget_lines(0).id(), "budget-1");
  EXPECT_EQ(c.attachments(0).id(), "attachment-1");
  EXPECT_EQ(c.citizen_meetings(0).id(), "meeting-1");
  EXPECT_EQ(c.citizen_meetings(0).proposals(0).id(), "proposal-1-1");
  EXPECT_EQ(c.extra_sections(0).id(), "section-1");
}

TEST(AssignMissingIdsTest, NeverChangesExistingIdsAndAvoidsThem) {
  v1::PolicyContent c = Sample();
  c.mutable_budget_lines(0)->set_year(2008);
  c.mutable_budget_lines(0)->set_funding(v1::BudgetLine::FUNDING_FUNDED);
  AssignMissingIds(&c);
  // An update inserts a new strategy first and a new vision at the end.
  v1::FocusArea* fa = c.mutable_focus_areas(1);
  v1::Strategy inserted;
  inserted.set_text("ny");
  fa->mutable_strategies()->Add(std::move(inserted));
  fa->mutable_strategies()->SwapElements(0, 2);
  fa->mutable_strategies()->SwapElements(1, 2);
  c.add_vision_statements()->set_text("c");
  c.mutable_vision_statements(0)->set_id("kerne");
  AssignMissingIds(&c);
  EXPECT_EQ(c.vision_statements(0).id(), "kerne");
  EXPECT_EQ(c.vision_statements(1).id(), "vision-2");
  EXPECT_EQ(c.vision_statements(2).id(), "vision-3");
  EXPECT_EQ(fa->strategies(0).text(), "ny");
  // "strategy-2-1" and "strategy-2-2" are taken, so the new one counts on.
  EXPECT_EQ(fa->strategies(0).id(), "strategy-2-3");
  EXPECT_EQ(fa->strategies(1).id(), "strategy-2-1");
  EXPECT_EQ(fa->strategies(2).id(), "strategy-2-2");
  EXPECT_TRUE(ValidateContent(c).ok()) << ValidateContent(c);
}

TEST(ValidateContentTest, AcceptsAssignedContent) {
  v1::PolicyContent c = Sample();
  c.mutable_budget_lines(0)->set_year(2008);
  c.mutable_budget_lines(0)->set_funding(v1::BudgetLine::FUNDING_REQUESTED);
  AssignMissingIds(&c);
  c.mutable_budget_lines(0)->set_element_id("strategy-2-2");
  c.mutable_citizen_meetings(0)
      ->mutable_proposals(0)
      ->add_landed_in_element_ids("focus-area-2");
  c.mutable_focus_areas(1)->add_joined_focus_area_ids("focus-area-1");
  EXPECT_TRUE(ValidateContent(c).ok()) << ValidateContent(c);
}

TEST(ValidateContentTest, DuplicateIdNamesTheFieldPath) {
  v1::PolicyContent c;
  c.add_focus_areas()->set_id("focus-area-1");
  v1::FocusArea* fa = c.add_focus_areas();
  fa->set_id("focus-area-2");
  fa->add_strategies()->set_id("strategy-2-1");
  fa->add_strategies()->set_id("strategy-2-1");
  absl::Status s = ValidateContent(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              StartsWith("policy.content.focus_areas[1].strategies[1].id: "
                         "duplicate id 'strategy-2-1'"));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("policy.content.focus_areas[1].strategies[0].id"));
}

TEST(ValidateContentTest, DuplicatesAcrossElementTypesCount) {
  v1::PolicyContent c;
  c.add_vision_statements()->set_id("x");
  c.add_extra_sections()->set_id("x");
  EXPECT_THAT(std::string(ValidateContent(c, "content").message()),
              StartsWith("content.extra_sections[0].id: duplicate id 'x'"));
}

TEST(ValidateContentTest, MalformedAndMissingIds) {
  v1::PolicyContent c;
  c.add_vision_statements()->set_id("Vision_1");
  EXPECT_THAT(std::string(ValidateContent(c).message()),
              StartsWith("policy.content.vision_statements[0].id: 'Vision_1' "
                         "is not a valid id"));
  c.mutable_vision_statements(0)->set_id("-a");
  EXPECT_FALSE(ValidateContent(c).ok());
  c.mutable_vision_statements(0)->set_id(std::string(64, 'a'));
  EXPECT_THAT(std::string(ValidateContent(c).message()),
              HasSubstr("longer than 63"));
  c.mutable_vision_statements(0)->clear_id();
  EXPECT_EQ(ValidateContent(c).message(),
            "policy.content.vision_statements[0].id: is required");
}

TEST(ValidateContentTest, TextProblemsNameTheField) {
  v1::PolicyContent c = Sample();
  c.mutable_budget_lines(0)->set_year(2008);
  c.mutable_budget_lines(0)->set_funding(v1::BudgetLine::FUNDING_FUNDED);
  AssignMissingIds(&c);
  v1::PolicyContent bad_utf8 = c;
  bad_utf8.mutable_focus_areas(1)->mutable_strategies(1)->set_text("\xFF");
  EXPECT_EQ(ValidateContent(bad_utf8).message(),
            "policy.content.focus_areas[1].strategies[1].text: is not valid "
            "UTF-8");
  v1::PolicyContent too_long = c;
  too_long.mutable_extra_sections(0)->add_paragraphs(
      std::string((1 << 20) + 1, 'a'));
  EXPECT_THAT(std::string(ValidateContent(too_long).message()),
              StartsWith("policy.content.extra_sections[0].paragraphs[0]: "
                         "is 1048577 bytes; at most 1048576 are allowed"));
  v1::PolicyContent bad_date = c;
  common::v1::Date* d = bad_date.mutable_citizen_meetings(0)->mutable_date();
  d->set_year(2010);
  d->set_month(2);
  d->set_day(30);
  EXPECT_THAT(std::string(ValidateContent(bad_date).message()),
              StartsWith("policy.content.citizen_meetings[0].date: "));
}

TEST(ValidateContentTest, ReferencesMustPointAtElements) {
  v1::PolicyContent c = Sample();
  c.mutable_budget_lines(0)->set_year(2008);
  c.mutable_budget_lines(0)->set_funding(v1::BudgetLine::FUNDING_FUNDED);
  AssignMissingIds(&c);
  v1::PolicyContent join = c;
  join.mutable_focus_areas(0)->add_joined_focus_area_ids("vision-1");
  EXPECT_THAT(std::string(ValidateContent(join).message()),
              StartsWith("policy.content.focus_areas[0].joined_focus_area_ids"
                         "[0]: 'vision-1' is not another focus area"));
  v1::PolicyContent landed = c;
  landed.mutable_citizen_meetings(0)
      ->mutable_proposals(0)
      ->add_landed_in_element_ids("strategy-9-9");
  EXPECT_THAT(std::string(ValidateContent(landed).message()),
              StartsWith("policy.content.citizen_meetings[0].proposals[0]."
                         "landed_in_element_ids[0]: no element has the id"));
  v1::PolicyContent budget = c;
  budget.mutable_budget_lines(0)->set_element_id("nope");
  EXPECT_FALSE(ValidateContent(budget).ok());
}

TEST(ValidateContentTest, BudgetLinesNeedYearAndFunding) {
  v1::PolicyContent c;
  v1::BudgetLine* b = c.add_budget_lines();
  b->set_id("budget-1");
  b->set_year(2008);
  EXPECT_EQ(ValidateContent(c).message(),
            "policy.content.budget_lines[0].funding: is required");
  b->set_funding(v1::BudgetLine::FUNDING_UNFUNDED);
  EXPECT_TRUE(ValidateContent(c).ok());
  b->set_year(208);
  EXPECT_THAT(std::string(ValidateContent(c).message()),
              StartsWith("policy.content.budget_lines[0].year: "));
}

TEST(ValidateContentTest, NegativeNumbersAreRefused) {
  v1::PolicyContent c;
  v1::FocusArea* fa = c.add_focus_areas();
  fa->set_id("f");
  v1::Strategy* s = fa->add_strategies();
  s->set_id("s");
  s->set_number(-1);
  EXPECT_EQ(ValidateContent(c).message(),
            "policy.content.focus_areas[0].strategies[0].number: must not be "
            "negative");
}

}  // namespace
}  // namespace kommune::policy
