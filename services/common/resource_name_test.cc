#include "services/common/resource_name.h"

#include "gtest/gtest.h"

namespace kommune {
namespace {

constexpr char kPolicy[] = "municipalities/{municipality}/policies/{policy}";

TEST(ResourceNameTest, ParsesVariables) {
  auto parts = ParseResourceName("municipalities/169/policies/integration-2007",
                                 kPolicy, "name");
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(*parts, (std::vector<std::string>{"169", "integration-2007"}));
}

TEST(ResourceNameTest, RefusesMalformedNamesNamingTheField) {
  for (const char* bad :
       {"", "municipalities/169", "municipality/169/policies/x",
        "municipalities/169/policies/", "municipalities/169/policies/X",
        "municipalities/169/policies/-x", "municipalities/999/policies/x",
        "municipalities/169/policies/a/b", "municipalities/-/policies/x"}) {
    auto parts = ParseResourceName(bad, kPolicy, "name");
    EXPECT_EQ(parts.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(parts.status().message().substr(0, 5), "name:") << bad;
  }
}

TEST(ResourceNameTest, AcceptsTheWildcardOnlyWhenAllowed) {
  EXPECT_TRUE(ParseResourceName("municipalities/-",
                                "municipalities/{municipality}", "parent", true)
                  .ok());
  EXPECT_FALSE(ParseResourceName("municipalities/-",
                                 "municipalities/{municipality}", "parent",
                                 false)
                   .ok());
}

TEST(ResourceNameTest, LimitsIdLength) {
  EXPECT_TRUE(ValidateResourceId(std::string(63, 'a'), "policy_id").ok());
  EXPECT_FALSE(ValidateResourceId(std::string(64, 'a'), "policy_id").ok());
}

}  // namespace
}  // namespace kommune
