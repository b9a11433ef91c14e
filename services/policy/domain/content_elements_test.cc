#include "services/policy/domain/content_elements.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::policy {
namespace {

using ::testing::ElementsAre;

TEST(ListElementsTest, DocumentOrderPathsAndParents) {
  v1::PolicyContent c;
  c.add_intro_paragraphs("Indledning");
  c.add_vision_statements()->set_id("vision-1");
  v1::FocusArea* fa = c.add_focus_areas();
  fa->set_id("fa");
  fa->set_title("Bolig");
  fa->set_focus_text("Med fokus på boliger.");
  v1::Strategy* s = fa->add_strategies();
  s->set_id("s");
  s->set_number(2);
  s->set_text("At forbedre");
  v1::ActionItem* a = s->add_action_items();
  a->set_id("a");
  a->set_label("2a");
  a->set_text("Handling");
  a->add_success_criteria()->set_id("c1");
  s->add_success_criteria()->set_id("c2");
  fa->add_action_items()->set_id("fa-a");
  c.add_citizen_meetings()->set_id("m");
  c.mutable_citizen_meetings(0)->add_proposals()->set_id("p");
  std::vector<std::string> lines;
  for (const ContentElement& e : ListElements(c)) {
    lines.push_back(e.type + " " + e.id + " " + e.path + " <" + e.parent_id +
                    "/" + e.container + ">");
  }
  EXPECT_THAT(
      lines,
      ElementsAre(
          "intro  intro_paragraphs </intro_paragraphs>",
          "vision_statement vision-1 vision_statements[0] </vision_statements>",
          "focus_area fa focus_areas[0] </focus_areas>",
          "strategy s focus_areas[0].strategies[0] <fa/strategies>",
          "action_item a focus_areas[0].strategies[0].action_items[0] "
          "<s/action_items>",
          "success_criterion c1 focus_areas[0].strategies[0].action_items[0]."
          "success_criteria[0] <a/success_criteria>",
          "success_criterion c2 focus_areas[0].strategies[0]."
          "success_criteria[0] <s/success_criteria>",
          "action_item fa-a focus_areas[0].action_items[0] <fa/action_items>",
          "citizen_meeting m citizen_meetings[0] </citizen_meetings>",
          "citizen_proposal p citizen_meetings[0].proposals[0] "
          "<m/proposals>"));
  std::vector<ContentElement> elements = ListElements(c);
  EXPECT_EQ(elements[2].text, "Bolig\nMed fokus på boliger.");
  EXPECT_EQ(elements[3].text, "2. At forbedre");
  EXPECT_EQ(elements[4].text, "2a) Handling");
}

}  // namespace
}  // namespace kommune::policy
