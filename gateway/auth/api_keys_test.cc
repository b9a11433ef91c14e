#include "gateway/auth/api_keys.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

MATCHER_P2(StatusIs, code, substring, "") {
  *result_listener << arg;
  return arg.code() == code &&
         std::string(arg.message()).find(substring) != std::string::npos;
}

class ApiKeyTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ci_ = MakeApiKey("ci");
    ci_.entry.municipalities = {"101", "185"};
    ci_.entry.roles = {"integration"};
    old_ = MakeApiKey("old");
    old_.entry.revoked = true;
    auto table = ApiKeyTable::Build({ci_.entry, old_.entry});
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::make_unique<ApiKeyTable>(*std::move(table));
  }

  NewApiKey ci_;
  NewApiKey old_;
  std::unique_ptr<ApiKeyTable> table_;
};

TEST_F(ApiKeyTableTest, AcceptsValidKey) {
  auto entry = table_->Check(ci_.presented);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ((*entry)->id, "ci");
  EXPECT_THAT((*entry)->municipalities, ElementsAre("101", "185"));
  EXPECT_THAT((*entry)->roles, ElementsAre("integration"));
}

TEST_F(ApiKeyTableTest, RejectsWrongSecret) {
  std::string wrong = ci_.presented;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_THAT(table_->Check(wrong).status(),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       "wrong secret for API key \"ci\""));
  // Another key's secret under this id.
  std::string secret = old_.presented.substr(old_.presented.find('.') + 1);
  EXPECT_THAT(table_->Check(absl::StrCat("ci.", secret)).status(),
              StatusIs(absl::StatusCode::kUnauthenticated, "wrong secret"));
}

TEST_F(ApiKeyTableTest, RejectsUnknownId) {
  std::string secret = ci_.presented.substr(ci_.presented.find('.') + 1);
  EXPECT_THAT(
      table_->Check(absl::StrCat("cd.", secret)).status(),
      StatusIs(absl::StatusCode::kUnauthenticated, "unknown API key \"cd\""));
}

TEST_F(ApiKeyTableTest, RejectsRevokedKey) {
  EXPECT_THAT(table_->Check(old_.presented).status(),
              StatusIs(absl::StatusCode::kUnauthenticated, "revoked"));
  // Only the key's holder learns that it was revoked.
  EXPECT_THAT(table_->Check("old.guess").status(),
              StatusIs(absl::StatusCode::kUnauthenticated, "wrong secret"));
}

TEST_F(ApiKeyTableTest, RejectsMalformedKeys) {
  for (const std::string& presented :
       {std::string(""), std::string("ci"), std::string(".secret"),
        std::string("ci."), std::string(2000, 'a') + ".x"}) {
    EXPECT_THAT(table_->Check(presented).status(),
                StatusIs(absl::StatusCode::kUnauthenticated, "malformed"))
        << presented;
  }
}

TEST(ApiKeyTest, HashIsSha256OfSaltThenSecret) {
  const std::string abc =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_EQ(HashApiKeySecret("", "abc"), abc);
  EXPECT_EQ(HashApiKeySecret("ab", "c"), abc);
}

TEST(ApiKeyTest, MakeApiKeyMakesDistinctWorkingKeys) {
  NewApiKey a = MakeApiKey("robot");
  NewApiKey b = MakeApiKey("robot");
  EXPECT_THAT(a.presented, StartsWith("robot."));
  std::string secret = a.presented.substr(6);
  EXPECT_EQ(secret.size(), 43u);  // 32 bytes, base64url without padding.
  for (char c : secret) {
    EXPECT_TRUE(absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                c == '-' || c == '_');
  }
  EXPECT_EQ(a.entry.salt_hex.size(), 32u);
  EXPECT_NE(a.presented, b.presented);
  EXPECT_NE(a.entry.salt_hex, b.entry.salt_hex);
  EXPECT_EQ(a.entry.sha256_hex,
            HashApiKeySecret(absl::HexStringToBytes(a.entry.salt_hex), secret));
  EXPECT_EQ(a.presented.find(a.entry.sha256_hex), std::string::npos);
  auto table = ApiKeyTable::Build({a.entry});
  ASSERT_TRUE(table.ok());
  EXPECT_TRUE(table->Check(a.presented).ok());
  EXPECT_FALSE(table->Check(b.presented).ok());
}

TEST(ApiKeyTest, AcceptsUppercaseHex) {
  NewApiKey key = MakeApiKey("k");
  key.entry.salt_hex = absl::AsciiStrToUpper(key.entry.salt_hex);
  key.entry.sha256_hex = absl::AsciiStrToUpper(key.entry.sha256_hex);
  auto table = ApiKeyTable::Build({key.entry});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_TRUE(table->Check(key.presented).ok());
}

TEST(ApiKeyTest, BuildErrorsNameTheField) {
  auto build_with = [](auto change) {
    std::vector<ApiKeyEntry> entries = {
        MakeApiKey("a").entry, MakeApiKey("b").entry, MakeApiKey("c").entry};
    change(entries[2]);
    return ApiKeyTable::Build(entries).status();
  };
  using absl::StatusCode;
  EXPECT_EQ(
      build_with([](ApiKeyEntry& e) { e.sha256_hex = "abc"; }),
      absl::InvalidArgumentError("api_keys[2].sha256: must be 64 hex digits"));
  EXPECT_THAT(build_with([](ApiKeyEntry& e) { e.sha256_hex.back() = 'g'; }),
              StatusIs(StatusCode::kInvalidArgument, "api_keys[2].sha256"));
  EXPECT_THAT(build_with([](ApiKeyEntry& e) { e.id = ""; }),
              StatusIs(StatusCode::kInvalidArgument,
                       "api_keys[2].id: must not be empty"));
  EXPECT_THAT(build_with([](ApiKeyEntry& e) { e.id = "c.d"; }),
              StatusIs(StatusCode::kInvalidArgument,
                       "api_keys[2].id: must not contain '.'"));
  EXPECT_THAT(build_with([](ApiKeyEntry& e) { e.id = "a"; }),
              StatusIs(StatusCode::kInvalidArgument,
                       "api_keys[2].id: duplicate \"a\" (also api_keys[0])"));
  EXPECT_THAT(build_with([](ApiKeyEntry& e) { e.salt_hex = ""; }),
              StatusIs(StatusCode::kInvalidArgument,
                       "api_keys[2].salt: must not be empty"));
  EXPECT_THAT(build_with([](ApiKeyEntry& e) { e.salt_hex = "xyz0"; }),
              StatusIs(StatusCode::kInvalidArgument, "api_keys[2].salt"));
  EXPECT_THAT(build_with([](ApiKeyEntry& e) { e.salt_hex = "abc"; }),
              StatusIs(StatusCode::kInvalidArgument, "api_keys[2].salt"));
  EXPECT_TRUE(build_with([](ApiKeyEntry&) {}).ok());
}

TEST(ApiKeyTest, EntriesSurviveMovingTheTable) {
  NewApiKey key = MakeApiKey("k");
  auto table = ApiKeyTable::Build({key.entry});
  ASSERT_TRUE(table.ok());
  ApiKeyTable moved = *std::move(table);
  auto entry = moved.Check(key.presented);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ((*entry)->id, "k");
  EXPECT_EQ(moved.size(), 1u);
}

}  // namespace
}  // namespace kommune::gateway
