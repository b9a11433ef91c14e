#include "services/common/municipalities.h"

#include "gtest/gtest.h"

namespace kommune {
namespace {

TEST(MunicipalitiesTest, HoldsAllNinetyEight) {
  EXPECT_EQ(AllMunicipalities().size(), 98u);
}

TEST(MunicipalitiesTest, FindsTheDomainMunicipalities) {
  ASSERT_NE(FindMunicipality("169"), nullptr);
  EXPECT_EQ(FindMunicipality("169")->name, "Høje-Taastrup");
  EXPECT_EQ(FindMunicipality("101")->name, "København");
  EXPECT_EQ(FindMunicipality("190")->name, "Furesø");
}

TEST(MunicipalitiesTest, RefusesUnknownCodesNamingTheField) {
  for (const char* code : {"", "999", "16", "1690", "abc", "169 "}) {
    absl::Status s = ValidateMunicipalityCode(code, "parent");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << code;
    EXPECT_EQ(s.message().substr(0, 7), "parent:") << s;
  }
  EXPECT_TRUE(ValidateMunicipalityCode("851", "parent").ok());
}

}  // namespace
}  // namespace kommune
