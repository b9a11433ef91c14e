#include "services/policy/domain/content_diff.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/policy/domain/content_ids.h"
#include "services/policy/domain/test_fixtures.h"
#include "services/policy/domain/text_import.h"

namespace kommune::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::PolicyContent Content001() {
  auto r = ImportPolicyText(testing::ReadFixture(testing::kPolicy001));
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->policy.content() : v1::PolicyContent();
}

std::string Line(const v1::ContentChange& c) {
  return v1::ContentChange::Kind_Name(c.kind()) + " " + c.element_type() + " " +
         c.element_id() + " @" + c.path() +
         (c.before_path().empty() ? "" : " from " + c.before_path());
}

std::vector<std::string> Lines(const std::vector<v1::ContentChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(Line(c));
  return out;
}

TEST(DiffContentTest, SameContentHasNoChanges) {
  v1::PolicyContent c = Content001();
  EXPECT_THAT(DiffContent(c, c), IsEmpty());
  EXPECT_THAT(DiffContent(v1::PolicyContent(), v1::PolicyContent()), IsEmpty());
}

TEST(DiffContentTest, ChangedTextNamesTheElementWithBeforeAndAfter) {
  v1::PolicyContent before = Content001();
  v1::PolicyContent after = before;
  after.mutable_focus_areas(0)
      ->mutable_strategies(0)
      ->mutable_success_criteria(4)
      ->set_text("At 50 etniske iværksættere er blevet etableret inden 2011.");
  auto changes = DiffContent(before, after);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(Line(changes[0]),
            "KIND_CHANGED success_criterion criterion-1-1-5 "
            "@focus_areas[0].strategies[0].success_criteria[4]");
  EXPECT_EQ(changes[0].before_text(),
            "At 40 etniske iværksættere er blevet etableret inden 2010.");
  EXPECT_EQ(changes[0].after_text(),
            "At 50 etniske iværksættere er blevet etableret inden 2011.");
  EXPECT_EQ(changes[0].before_path(), "");
}

TEST(DiffContentTest, AddedAndRemovedElements) {
  v1::PolicyContent before = Content001();
  v1::PolicyContent after = before;
  v1::FocusArea* housing = after.mutable_focus_areas(0);
  // A new first strategy: the others shift but did not move.
  v1::Strategy added;
  added.set_number(5);
  added.set_text("At styrke beboerdemokratiet");
  housing->mutable_strategies()->Add(std::move(added));
  for (int i = housing->strategies_size() - 1; i > 0; --i) {
    housing->mutable_strategies()->SwapElements(i, i - 1);
  }
  AssignMissingIds(&after);
  housing->mutable_strategies(2)->mutable_action_items()->RemoveLast();
  auto changes = DiffContent(before, after);
  EXPECT_THAT(Lines(changes),
              ElementsAre("KIND_ADDED strategy strategy-1-5 "
                          "@focus_areas[0].strategies[0]",
                          "KIND_REMOVED action_item action-1-2-3 "
                          "@focus_areas[0].strategies[1].action_items[2]"));
  EXPECT_EQ(changes[0].after_text(), "5. At styrke beboerdemokratiet");
  EXPECT_EQ(changes[1].before_text(),
            "Igangsættelse af en imageindsats i problemramte områder.");
}

TEST(DiffContentTest, MovedElementsAreChangedWithTheirOldPath) {
  v1::PolicyContent before = Content001();
  v1::PolicyContent after = before;
  // Swap two strategies of the elderly focus area.
  after.mutable_focus_areas(4)->mutable_strategies()->SwapElements(1, 2);
  // Move an action item from one strategy to another.
  v1::ActionItem item = after.focus_areas(0).strategies(0).action_items(3);
  after.mutable_focus_areas(0)
      ->mutable_strategies(0)
      ->mutable_action_items()
      ->RemoveLast();
  *after.mutable_focus_areas(0)->mutable_strategies(3)->add_action_items() =
      item;
  EXPECT_THAT(Lines(DiffContent(before, after)),
              ElementsAre("KIND_CHANGED action_item action-1-1-4 "
                          "@focus_areas[0].strategies[3].action_items[3] from "
                          "focus_areas[0].strategies[0].action_items[3]",
                          "KIND_CHANGED strategy strategy-5-3 "
                          "@focus_areas[4].strategies[1] from "
                          "focus_areas[4].strategies[2]",
                          "KIND_CHANGED strategy strategy-5-2 "
                          "@focus_areas[4].strategies[2] from "
                          "focus_areas[4].strategies[1]"));
}

TEST(DiffContentTest, FocusAreaTextAndIntroChanges) {
  v1::PolicyContent before = Content001();
  v1::PolicyContent after = before;
  after.mutable_focus_areas(7)->add_closing_paragraphs("Nyt afsnit.");
  after.add_intro_paragraphs("Ny indledning.");
  auto changes = DiffContent(before, after);
  EXPECT_THAT(Lines(changes),
              ElementsAre("KIND_ADDED intro  @intro_paragraphs",
                          "KIND_CHANGED focus_area focus-area-8 "
                          "@focus_areas[7]"));
  EXPECT_EQ(changes[0].after_text(), "Ny indledning.");
}

}  // namespace
}  // namespace kommune::policy
