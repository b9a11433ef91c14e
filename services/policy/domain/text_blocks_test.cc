#include "services/policy/domain/text_blocks.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kommune::policy {
namespace {

TEST(SplitLinesTest, NormalisesLineEndsAndByteOrderMark) {
  std::vector<std::string> lines =
      SplitLines("\xEF\xBB\xBFVision\r\n- a\rb\fc");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "Vision");
  EXPECT_EQ(lines[1], "- a");
  EXPECT_EQ(lines[2], "b");
  EXPECT_EQ(lines[3], "c");
}

TEST(LooksLikeMarkdownTest, NeedsAHeading) {
  EXPECT_TRUE(LooksLikeMarkdown({"tekst", "## Vision"}));
  EXPECT_FALSE(LooksLikeMarkdown({"Vision", "- a", "#hashtag"}));
}

TEST(LexPlainTextTest, BlocksOfThePolicyLayout) {
  std::vector<TextBlock> b = LexPlainText(
      SplitLines("Dato\tSagsID\n15. november 2006\t1166997\n\nStrategi\n\n"
                 "1. At forbedre\n- 1) At samle op\n\n1b)\n- At der"));
  ASSERT_EQ(b.size(), 7u);
  EXPECT_EQ(b[0].type, BlockType::kTableRow);
  EXPECT_EQ(b[1].type, BlockType::kTableRow);  // Not "15." numbering.
  EXPECT_EQ(b[2].type, BlockType::kParagraph);
  EXPECT_EQ(b[3].type, BlockType::kNumbered);
  EXPECT_EQ(b[3].number, 1);
  EXPECT_EQ(b[3].text, "At forbedre");
  EXPECT_EQ(b[4].type, BlockType::kBullet);
  EXPECT_EQ(b[4].text, "1) At samle op");
  EXPECT_FALSE(b[4].blank_before);
  EXPECT_EQ(b[5].text, "1b)");
  EXPECT_TRUE(b[5].blank_before);
}

TEST(LexPlainTextTest, JoinsAWordBrokenOverAPage) {
  std::vector<TextBlock> b = LexPlainText(SplitLines(
      "opkvalificering af sagsbehand-\n\nlere, personale på klubområdet\n\n"
      "skole- og\n\nUddannelse"));
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].text,
            "opkvalificering af sagsbehandlere, personale på klubområdet");
  EXPECT_EQ(b[1].text, "skole- og");  // Next starts upper case: kept apart.
}

TEST(LexMarkdownTest, HeadingsListsParagraphsAndComments) {
  std::vector<TextBlock> b = LexMarkdown(SplitLines(
      "# Titel\n\n## Vision <!-- id: x -->\n\n- Første <!-- id: vision-1 "
      "-->\n- Anden\n\nEt afsnit\nder fortsætter.\n\nLinje et  \nlinje to\n\n"
      "1. Nummer <!-- id: strategy-1-1 -->\n\n  - indrykket\n\n  indrykket "
      "afsnit"));
  ASSERT_EQ(b.size(), 9u);
  EXPECT_EQ(b[0].type, BlockType::kHeading);
  EXPECT_EQ(b[0].level, 1);
  EXPECT_EQ(b[1].text, "Vision");
  EXPECT_EQ(markdown::Attribute(b[1].attrs, "id"), "x");
  EXPECT_EQ(b[2].type, BlockType::kBullet);
  EXPECT_EQ(b[2].text, "Første");
  EXPECT_EQ(markdown::Attribute(b[2].attrs, "id"), "vision-1");
  EXPECT_EQ(b[3].text, "Anden");
  EXPECT_EQ(b[4].text, "Et afsnit der fortsætter.");
  EXPECT_EQ(b[5].text, "Linje et\nlinje to");  // Hard break.
  EXPECT_EQ(b[6].type, BlockType::kNumbered);
  EXPECT_EQ(b[7].type, BlockType::kBullet);
  EXPECT_EQ(b[7].indent, 2);
  EXPECT_EQ(b[8].type, BlockType::kParagraph);
  EXPECT_EQ(b[8].indent, 2);
}

TEST(LexMarkdownTest, EscapesMakePlainText) {
  std::vector<TextBlock> b = LexMarkdown(
      SplitLines("\\- ikke punkt\n\n1\\. ikke nummer\n\n- 1a\\) x"));
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].type, BlockType::kParagraph);
  EXPECT_TRUE(b[0].escaped);
  EXPECT_EQ(b[0].text, "- ikke punkt");
  EXPECT_EQ(b[1].text, "1. ikke nummer");
  EXPECT_EQ(b[2].type, BlockType::kBullet);
  EXPECT_EQ(b[2].text, "1a) x");
  EXPECT_TRUE(b[2].escaped);
}

}  // namespace
}  // namespace kommune::policy
