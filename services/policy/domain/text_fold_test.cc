#include "services/policy/domain/text_fold.h"

#include "gtest/gtest.h"

namespace kommune::policy {
namespace {

TEST(FoldCaseTest, LowersDanishAndLatin1Letters) {
  EXPECT_EQ(FoldCase("HØRING"), "høring");
  EXPECT_EQ(FoldCase("ÆBLE ØL ÅEN"), "æble øl åen");
  EXPECT_EQ(FoldCase("IDÉ Ü À"), "idé ü à");
}

TEST(FoldCaseTest, KeepsLengthAndNonLetters) {
  // × (U+00D7) and ß have no lower-case counterpart to map to.
  EXPECT_EQ(FoldCase("2 × 3 ß – €"), "2 × 3 ß – €");
  EXPECT_EQ(FoldCase("Tåstrupgård").size(), std::string("Tåstrupgård").size());
}

TEST(FoldCaseTest, LeavesBrokenUtf8Alone) {
  std::string broken = "A\xC3";
  EXPECT_EQ(FoldCase(broken), "a\xC3");
}

TEST(FoldForSearchTest, FoldsAaAndMapsOffsetsBack) {
  FoldedText f = FoldForSearch("Tåstrup", /*fold_aa=*/true);
  EXPECT_EQ(f.text, "taastrup");
  ASSERT_EQ(f.source_offset.size(), f.text.size() + 1);
  // Both a's of "aa" come from the two-byte "å" at offset 1.
  EXPECT_EQ(f.source_offset[1], 1u);
  EXPECT_EQ(f.source_offset[2], 1u);
  EXPECT_EQ(f.source_offset[3], 3u);  // 's'
  EXPECT_EQ(f.source_offset.back(), std::string("Tåstrup").size());
}

TEST(FoldForSearchTest, WithoutAaKeepsÅ) {
  EXPECT_EQ(FoldForSearch("ÅR", false).text, "år");
}

}  // namespace
}  // namespace kommune::policy
