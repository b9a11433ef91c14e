#include "services/policy/domain/search.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/policy/domain/test_fixtures.h"
#include "services/policy/domain/text_import.h"

namespace kommune::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

v1::PolicyContent Content001() {
  auto r = ImportPolicyText(testing::ReadFixture(testing::kPolicy001));
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->policy.content() : v1::PolicyContent();
}

std::vector<std::string> Ids(const std::vector<SearchHit>& hits) {
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.element_id);
  return ids;
}

size_t Chars(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

TEST(SearchContentTest, DanishLettersMatchInAnyCase) {
  v1::PolicyContent c;
  c.add_vision_statements()->set_text("OFFENTLIG HØRING AF FORSLAGET");
  c.add_vision_statements()->set_text("Ældre og børn");
  c.mutable_vision_statements(0)->set_id("vision-1");
  c.mutable_vision_statements(1)->set_id("vision-2");
  auto hits = SearchContent(c, "høring");
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].element_id, "vision-1");
  EXPECT_EQ((*hits)[0].element_type, "vision_statement");
  EXPECT_EQ((*hits)[0].path, "vision_statements[0]");
  EXPECT_EQ((*hits)[0].snippet, "OFFENTLIG «HØRING» AF FORSLAGET");
  EXPECT_THAT(Ids(*SearchContent(c, "ÆLDRE BØRN")), ElementsAre("vision-2"));
  EXPECT_THAT(*SearchContent(c, "ældre høring"), IsEmpty());  // All words.
}

TEST(SearchContentTest, FindsCriteriaAndItemsInThePolicy) {
  auto hits = SearchContent(Content001(), "Mentorordninger");
  ASSERT_TRUE(hits.ok());
  // Document order: strategy 1's criterion before strategy 3's item.
  EXPECT_THAT(Ids(*hits), ElementsAre("criterion-4-1-3", "action-4-3-2"));
  const SearchHit& criterion = (*hits)[0];
  EXPECT_EQ(criterion.element_type, "success_criterion");
  EXPECT_EQ(criterion.path,
            "focus_areas[3].strategies[0].action_items[1].success_criteria[1]");
  EXPECT_THAT(criterion.snippet, HasSubstr("mindst 30 «mentorordninger» om"));
}

TEST(SearchContentTest, AccentsAndOldSpellingOfÅ) {
  v1::PolicyContent c = Content001();
  EXPECT_THAT(Ids(*SearchContent(c, "IDÉEN")), ElementsAre("criterion-7-1-1"));
  // "Tåstrupgård" and "Høje-Taastrup" both, unless aa-folding is off.
  auto both = SearchContent(c, "TÅSTRUP");
  ASSERT_TRUE(both.ok());
  EXPECT_GT(both->size(), 3u);
  EXPECT_THAT(Ids(*both), ::testing::Contains("criterion-1-2-2"));
  EXPECT_THAT(Ids(*both), ::testing::Contains("action-7-1-1"));
  SearchOptions strict;
  strict.fold_aa = false;
  EXPECT_THAT(Ids(*SearchContent(c, "TÅSTRUP", strict)),
              ElementsAre("criterion-1-2-2", "criterion-1-2-3"));
  auto marked = SearchContent(c, "taastrupgaard", SearchOptions());
  ASSERT_TRUE(marked.ok());
  ASSERT_FALSE(marked->empty());
  EXPECT_THAT((*marked)[0].snippet, HasSubstr("«Tåstrupgård»"));
}

TEST(SearchContentTest, SnippetsAreShortAndCutOnWords) {
  auto hits = SearchContent(Content001(), "frivillige jobguides");
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  const std::string& snippet = (*hits)[0].snippet;
  EXPECT_THAT(snippet, StartsWith("…"));
  EXPECT_THAT(snippet, HasSubstr("«frivillige» «jobguides»"));
  EXPECT_LE(Chars(snippet), 160u + 6);  // Marks and ellipses on top.
  EXPECT_GE(Chars(snippet), 120u);
  SearchOptions one;
  one.max_hits = 1;
  EXPECT_EQ(SearchContent(Content001(), "og", one)->size(), 1u);
}

TEST(SearchContentTest, RefusesBadQueries) {
  v1::PolicyContent c;
  for (const std::string& q :
       {std::string(""), std::string("   "), std::string("h\xF8ring"),
        std::string(2000, 'a')}) {
    auto hits = SearchContent(c, q);
    EXPECT_EQ(hits.status().code(), absl::StatusCode::kInvalidArgument) << q;
    EXPECT_THAT(std::string(hits.status().message()), StartsWith("query: "));
  }
}

}  // namespace
}  // namespace kommune::policy
