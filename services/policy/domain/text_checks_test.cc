#include "services/policy/domain/text_checks.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kommune/policy/v1/policy.pb.h"

namespace kommune::policy {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

common::v1::Date Day(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

TEST(IsValidUtf8Test, AcceptsDanishAndRejectsMalformed) {
  EXPECT_TRUE(IsValidUtf8("Høje-Taastrup – æøå ÆØÅ é €"));
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_FALSE(IsValidUtf8("H\xF8je"));           // Latin-1 ø, not UTF-8.
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // Cut off.
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // Overlong '/'.
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // UTF-16 surrogate.
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // Beyond U+10FFFF.
}

TEST(CheckTextTest, NamesTheFieldForEachProblem) {
  EXPECT_TRUE(CheckText("tekst", "f").ok());
  absl::Status bad = CheckText("H\xF8je", "policy.display_name");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "policy.display_name: is not valid UTF-8");
  EXPECT_THAT(std::string(CheckText(std::string("a\0b", 3), "x").message()),
              HasSubstr("NUL"));
  std::string big(kMaxFieldBytes + 1, 'a');
  absl::Status long_text = CheckText(big, "policy.content.intro_paragraphs[0]");
  EXPECT_EQ(long_text.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(long_text.message()),
      StartsWith(
          "policy.content.intro_paragraphs[0]: is 1048577 bytes; at most"));
  EXPECT_TRUE(CheckText(std::string(kMaxFieldBytes, 'a'), "x").ok());
}

TEST(CheckDateTest, RefusesDaysThatDoNotExist) {
  EXPECT_TRUE(CheckDate(Day(2010, 2, 28), "d").ok());
  EXPECT_TRUE(CheckDate(Day(2012, 2, 29), "d").ok());  // Leap year.
  absl::Status bad = CheckDate(Day(2010, 2, 30), "meeting.date");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.message()), StartsWith("meeting.date: "));
  EXPECT_FALSE(CheckDate(Day(2011, 2, 29), "d").ok());
  EXPECT_FALSE(CheckDate(Day(2010, 13, 1), "d").ok());
  EXPECT_FALSE(CheckDate(Day(2010, 0, 1), "d").ok());
  EXPECT_FALSE(CheckDate(Day(2010, 4, 31), "d").ok());
  EXPECT_FALSE(CheckDate(Day(0, 1, 1), "d").ok());
  EXPECT_FALSE(CheckDate(Day(0, 0, 0), "d").ok());
}

TEST(CheckMessageTextTest, WalksNestedFieldsAndNamesTheirPath) {
  v1::PolicyContent content;
  content.add_focus_areas()->set_title("Bolig");
  v1::FocusArea* fa = content.add_focus_areas();
  fa->add_strategies()->set_text("ok");
  fa->add_strategies()->add_paragraphs("H\xF8je");
  absl::Status s = CheckMessageText(content, "policy.content");
  EXPECT_EQ(s.message(),
            "policy.content.focus_areas[1].strategies[1].paragraphs[0]: is not "
            "valid UTF-8");
}

TEST(CheckMessageTextTest, ChecksEveryDateThatIsSet) {
  v1::PolicyContent content;
  *content.add_citizen_meetings()->mutable_date() = Day(2006, 10, 25);
  EXPECT_TRUE(CheckMessageText(content, "c").ok());
  *content.add_citizen_meetings()->mutable_date() = Day(2010, 2, 30);
  absl::Status s = CheckMessageText(content, "policy.content");
  EXPECT_THAT(std::string(s.message()),
              StartsWith("policy.content.citizen_meetings[1].date: "));
  v1::Policy policy;
  *policy.mutable_period()->mutable_end_date() = Day(2021, 6, 31);
  EXPECT_THAT(std::string(CheckMessageText(policy, "policy").message()),
              StartsWith("policy.period.end_date: "));
}

TEST(CheckMessageTextTest, FindsOverlongStringsDeepInside) {
  v1::PolicyContent content;
  content.add_focus_areas()
      ->add_strategies()
      ->add_action_items()
      ->add_success_criteria()
      ->set_text(std::string(kMaxFieldBytes + 10, 'x'));
  absl::Status s = CheckMessageText(content, "policy.content");
  EXPECT_THAT(
      std::string(s.message()),
      StartsWith(
          "policy.content.focus_areas[0].strategies[0]."
          "action_items[0].success_criteria[0].text: is 1048586 bytes; at "
          "most"));
}

}  // namespace
}  // namespace kommune::policy
