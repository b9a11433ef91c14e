#include "services/policy/domain/markdown_format.h"

#include <string>

#include "gtest/gtest.h"

namespace kommune::policy::markdown {
namespace {

TEST(KeywordTest, RecognisesHeadingsInTheirSpellings) {
  EXPECT_EQ(ClassifyKeyword("Vision"), Keyword::kVision);
  EXPECT_EQ(ClassifyKeyword("MÅLSÆTNINGER"), Keyword::kObjectives);
  EXPECT_EQ(ClassifyKeyword("Handleplan:"), Keyword::kActionPlan);
  EXPECT_EQ(ClassifyKeyword("**Succeskriterie:**"), Keyword::kCriteria);
  EXPECT_EQ(ClassifyKeyword("Handleplan og succeskriterier"),
            Keyword::kPlanAndCriteria);
  EXPECT_EQ(ClassifyKeyword("Strategi, handleplaner og succeskriterier for de "
                            "enkelte indsatsområder"),
            Keyword::kStrategyPart);
  // An item that starts with a keyword is not a heading.
  EXPECT_EQ(ClassifyKeyword("Handleplan for fremme af en ressourcebaseret "
                            "udvikling"),
            Keyword::kNone);
  EXPECT_TRUE(IsPartKeyword(Keyword::kBudget));
  EXPECT_FALSE(IsPartKeyword(Keyword::kStrategy));
}

TEST(AdHeadingTest, ReadsEveryStyleOfThePolicy) {
  for (const char* line :
       {"Ad 1. At forbedre", "Ad 1) At forbedre", "Ad. 1) At forbedre",
        "Ad1) At forbedre", "Ad. 1. At forbedre"}) {
    auto ad = ParseAdHeading(line);
    ASSERT_TRUE(ad.has_value()) << line;
    EXPECT_EQ(ad->number, 1) << line;
    EXPECT_EQ(ad->text, "At forbedre") << line;
  }
  EXPECT_EQ(ParseAdHeading("Ad. 4. At aktivere")->number, 4);
  EXPECT_EQ(ParseAdHeading("Ad: Dialog")->number, 0);
  EXPECT_EQ(ParseAdHeading("Ad: Dialog")->text, "Dialog");
  EXPECT_FALSE(ParseAdHeading("Administrationen vurderer").has_value());
  EXPECT_FALSE(ParseAdHeading("Ad hoc grupper").has_value());
  EXPECT_FALSE(ParseAdHeading("Ad 1a) x").has_value());
}

TEST(SplitLabelTest, LabelsWithAndWithoutText) {
  std::string label, rest;
  ASSERT_TRUE(SplitLabel("1a) At der samles op", &label, &rest));
  EXPECT_EQ(label, "1a");
  EXPECT_EQ(rest, "At der samles op");
  ASSERT_TRUE(SplitLabel("1b)", &label, &rest));
  EXPECT_EQ(label, "1b");
  EXPECT_EQ(rest, "");
  ASSERT_TRUE(SplitLabel("2) At sikre", &label, &rest));
  EXPECT_EQ(label, "2");
  EXPECT_FALSE(SplitLabel("1 – 1½ års alderen", &label, &rest));
  EXPECT_FALSE(SplitLabel("1a)b", &label, &rest));
  EXPECT_FALSE(SplitLabel("(1a) x", &label, &rest));
}

TEST(AttributesTest, RoundTripEvenAwkwardValues) {
  Attributes attrs = {{"id", "strategy-1-1"},
                      {"doc-title", "a; b --> c <!-- 100%\nd"},
                      {"empty", ""}};
  std::string comment = FormatAttributes(attrs);
  EXPECT_EQ(comment.find("-->"), comment.size() - 3);
  EXPECT_EQ(comment.find("empty"), std::string::npos);
  std::string text;
  Attributes back;
  ASSERT_TRUE(SplitTrailingAttributes("- Tekst" + comment, &text, &back));
  EXPECT_EQ(text, "- Tekst");
  EXPECT_EQ(Attribute(back, "id"), "strategy-1-1");
  EXPECT_EQ(Attribute(back, "doc-title"), "a; b --> c <!-- 100%\nd");
  EXPECT_EQ(Attribute(back, "missing"), "");
  EXPECT_EQ(FormatAttributes({{"id", ""}}), "");
}

TEST(AttributesTest, LeavesOrdinaryCommentsInTheText) {
  std::string text = "unchanged";
  Attributes attrs;
  EXPECT_FALSE(
      SplitTrailingAttributes("Tekst <!-- en note -->", &text, &attrs));
  EXPECT_FALSE(SplitTrailingAttributes("Tekst <!-- Id: x -->", &text, &attrs));
  EXPECT_FALSE(SplitTrailingAttributes("Tekst", &text, &attrs));
  EXPECT_EQ(text, "unchanged");
}

TEST(EscapeTest, EscapesWhatWouldReadAsStructure) {
  for (const char* text :
       {"- ikke en punktopstilling", "1. ikke nummereret", "1a) ikke et mærke",
        "2) heller ikke", "# ikke en overskrift", "Handleplan",
        "Succeskriterier:", "Ad 1. ikke en overskrift", "Ansvarlige: ingen",
        "\\backslash", " indrykket"}) {
    std::string escaped = EscapeLeading(text);
    EXPECT_NE(escaped, text);
    std::string back = escaped;
    EXPECT_TRUE(UnescapeLeading(&back)) << text;
    EXPECT_EQ(back, text);
  }
  EXPECT_EQ(EscapeLeading("- x"), "\\- x");
  EXPECT_EQ(EscapeLeading("1. x"), "1\\. x");
  EXPECT_EQ(EscapeLeading("1a) x"), "1a\\) x");
  for (const char* text : {"Almindelig tekst", "2007 blev året", "Med fokus på",
                           "Handleplan for fremme", "–  tankestreg"}) {
    EXPECT_EQ(EscapeLeading(text), text);
    std::string same = text;
    EXPECT_FALSE(UnescapeLeading(&same));
  }
}

TEST(EscapeTest, TextEndingLikeACommentIsProtected) {
  for (const char* text : {"pil -->", "pil --\\>", "-->", "ingen pil", ">"}) {
    std::string escaped = EscapeTrailing(text);
    std::string rest;
    Attributes attrs;
    EXPECT_FALSE(SplitTrailingAttributes(escaped, &rest, &attrs)) << text;
    UnescapeTrailing(&escaped);
    EXPECT_EQ(escaped, text);
  }
  EXPECT_EQ(EscapeTrailing("a -->"), "a --\\>");
  EXPECT_EQ(EscapeTrailing("a >"), "a >");
}

TEST(DateTest, IsoAndDanish) {
  common::v1::Date d;
  ASSERT_TRUE(ParseIsoDate("2006-10-25", &d));
  EXPECT_EQ(FormatIsoDate(d), "2006-10-25");
  EXPECT_EQ(FormatDanishDate(d), "25. oktober 2006");
  EXPECT_FALSE(ParseIsoDate("25.10.2006", &d));
  EXPECT_FALSE(ParseIsoDate("2006-10", &d));
}

TEST(MoneyTest, DanishFormatBothWays) {
  EXPECT_EQ(FormatMoney(25000000), "250.000,00 kr.");
  EXPECT_EQ(FormatMoney(5), "0,05 kr.");
  EXPECT_EQ(FormatMoney(-150050), "-1.500,50 kr.");
  EXPECT_EQ(FormatMoney(123456789012), "1.234.567.890,12 kr.");
  for (int64_t ore : {int64_t{0}, int64_t{5}, int64_t{25000000},
                      int64_t{-150050}, int64_t{123456789012}}) {
    int64_t back = -1;
    ASSERT_TRUE(ParseMoney(FormatMoney(ore), &back)) << ore;
    EXPECT_EQ(back, ore);
  }
  int64_t v;
  ASSERT_TRUE(ParseMoney("250.000 kr", &v));
  EXPECT_EQ(v, 25000000);
  ASSERT_TRUE(ParseMoney("12,5 kr.", &v));
  EXPECT_EQ(v, 1250);
  EXPECT_FALSE(ParseMoney("mange penge", &v));
  EXPECT_FALSE(ParseMoney("1,234 kr.", &v));
  EXPECT_FALSE(ParseMoney("", &v));
}

TEST(WordsTest, FundingStateAndBodyKindBothWays) {
  v1::BudgetLine::Funding f;
  ASSERT_TRUE(ParseFundingWord("Budgetønske", &f));
  EXPECT_EQ(f, v1::BudgetLine::FUNDING_REQUESTED);
  EXPECT_EQ(FundingWord(v1::BudgetLine::FUNDING_STATE_FUNDED),
            "statsfinansieret");
  EXPECT_FALSE(ParseFundingWord("gratis", &f));
  v1::PolicyState s;
  ASSERT_TRUE(ParseStateWord("i høring", &s));
  EXPECT_EQ(s, v1::POLICY_STATE_IN_HEARING);
  EXPECT_EQ(ParseBodyKindWord("råd"), common::v1::BODY_KIND_COUNCIL);
  EXPECT_EQ(ParseBodyKindWord("?"), common::v1::BODY_KIND_UNSPECIFIED);
}

TEST(EsdhTest, LabelAndAttributes) {
  common::v1::EsdhReference ref;
  ref.set_case_number("1166997");
  ref.set_document_number("1410354");
  EXPECT_EQ(EsdhLabel(ref), "sag 1166997, dok.nr. 1410354");
  ref.mutable_kle_class()->set_subject("27.00.00");
  ref.mutable_kle_class()->set_action_facet("G01");
  ref.set_title("Integrationspolitik; samlet version");
  Attributes attrs;
  AddEsdhAttributes(ref, &attrs);
  std::string text;
  Attributes back;
  ASSERT_TRUE(
      SplitTrailingAttributes("x" + FormatAttributes(attrs), &text, &back));
  common::v1::EsdhReference read;
  ASSERT_TRUE(ReadEsdhAttributes(back, &read));
  EXPECT_EQ(read.SerializeAsString(), ref.SerializeAsString());
  EXPECT_FALSE(ReadEsdhAttributes({{"id", "x"}}, &read));
}

}  // namespace
}  // namespace kommune::policy::markdown
