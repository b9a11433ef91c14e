#include "services/common/validation.h"

#include "gtest/gtest.h"

namespace kommune {
namespace {

common::v1::Date D(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

void ExpectInvalid(const absl::Status& s, absl::string_view field) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(s.message().substr(0, field.size() + 1), absl::StrCat(field, ":"))
      << s;
}

TEST(ValidationTest, AcceptsDanishText) {
  EXPECT_TRUE(ValidateText("Høringssvar fra Ældrerådet", "f").ok());
}

TEST(ValidationTest, RefusesInvalidUtf8OversizedAndMissingText) {
  ExpectInvalid(ValidateText("H\xf8ring", "policy.display_name"),
                "policy.display_name");
  ExpectInvalid(ValidateText(std::string(kMaxFieldBytes + 1, 'a'), "doc"),
                "doc");
  ExpectInvalid(ValidateText("  ", "policy.display_name", true),
                "policy.display_name");
  EXPECT_TRUE(ValidateText("", "optional").ok());
}

TEST(ValidationTest, RefusesDatesThatDoNotExist) {
  EXPECT_TRUE(ValidateDate(D(2008, 2, 29), "d").ok());
  ExpectInvalid(ValidateDate(D(2010, 2, 30), "adopt_date"), "adopt_date");
  ExpectInvalid(ValidateDate(D(2009, 2, 29), "adopt_date"), "adopt_date");
  ExpectInvalid(ValidateDate(D(2010, 13, 1), "adopt_date"), "adopt_date");
  ExpectInvalid(ValidateDate(D(0, 0, 0), "adopt_date", true), "adopt_date");
  EXPECT_TRUE(ValidateDate(D(0, 0, 0), "adopt_date").ok());
}

TEST(ValidationTest, RefusesARangeThatEndsBeforeItStarts) {
  common::v1::DateRange range;
  *range.mutable_start_date() = D(2018, 1, 1);
  *range.mutable_end_date() = D(2017, 12, 31);
  ExpectInvalid(ValidateDateRange(range, "policy.period"),
                "policy.period.end_date");
  *range.mutable_end_date() = D(2021, 12, 31);
  EXPECT_TRUE(ValidateDateRange(range, "policy.period").ok());
}

TEST(ValidationTest, ChecksKleNumbersAndFacets) {
  common::v1::KleClass kle;
  kle.set_subject("27.00.00");
  kle.set_action_facet("G01");
  EXPECT_TRUE(ValidateKleClass(kle, "kle").ok());
  kle.set_subject("27.0.00");
  ExpectInvalid(ValidateKleClass(kle, "kle"), "kle.subject");
  kle.set_subject("27.00.00");
  kle.set_action_facet("g1");
  ExpectInvalid(ValidateKleClass(kle, "kle"), "kle.action_facet");
}

TEST(ValidationTest, NeedsACaseForADocument) {
  common::v1::EsdhReference ref;
  ref.set_document_number("1493196");
  ExpectInvalid(ValidateEsdhReference(ref, "esdh_case"),
                "esdh_case.case_number");
  ref.set_case_number("1166997");
  EXPECT_TRUE(ValidateEsdhReference(ref, "esdh_case").ok());
}

TEST(ValidationTest, ConvertsCivilDays) {
  EXPECT_EQ(FromCivilDay(ToCivilDay(D(2018, 8, 28))).DebugString(),
            D(2018, 8, 28).DebugString());
}

}  // namespace
}  // namespace kommune
