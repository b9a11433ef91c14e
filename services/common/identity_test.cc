#include "services/common/identity.h"

#include "gtest/gtest.h"

namespace kommune {
namespace {

constexpr char kSecret[] = "gateway-secret";

IdentityVerifier::HeaderLookup From(
    const std::map<std::string, std::string>& headers) {
  return [headers](absl::string_view name) -> std::optional<std::string> {
    auto it = headers.find(std::string(name));
    if (it == headers.end()) return std::nullopt;
    return it->second;
  };
}

Identity Editor() { return {{"169", "101"}, {Role::kEditor}, "anna@169"}; }

TEST(IdentityTest, AcceptsWhatTheGatewaySigned) {
  absl::Time now = absl::Now();
  auto got = IdentityVerifier(kSecret).Verify(
      From(IdentityHeaders(Editor(), kSecret, now)), now);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->municipality_codes, (std::vector<std::string>{"169", "101"}));
  EXPECT_TRUE(got->HasRole(Role::kEditor));
  EXPECT_FALSE(got->HasRole(Role::kAdmin));
  EXPECT_TRUE(got->ActsFor("101"));
  EXPECT_FALSE(got->ActsFor("190"));
  EXPECT_EQ(got->subject, "anna@169");
}

TEST(IdentityTest, RefusesUnsignedIdentityWhenASecretIsSet) {
  absl::Time now = absl::Now();
  auto got = IdentityVerifier(kSecret).Verify(
      From(IdentityHeaders(Editor(), "", now)), now);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(got.status().message().find(kIdentitySignatureHeader),
            absl::string_view::npos);
}

TEST(IdentityTest, RefusesAForgedSignature) {
  absl::Time now = absl::Now();
  auto got = IdentityVerifier(kSecret).Verify(
      From(IdentityHeaders(Editor(), "not-the-secret", now)), now);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(IdentityTest, RefusesATamperedMunicipality) {
  absl::Time now = absl::Now();
  auto headers = IdentityHeaders(Editor(), kSecret, now);
  headers[kMunicipalitiesHeader] = "169,101,190";
  auto got = IdentityVerifier(kSecret).Verify(From(headers), now);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(IdentityTest, RefusesAReplayedOldSignature) {
  absl::Time then = absl::Now() - absl::Minutes(10);
  auto got = IdentityVerifier(kSecret).Verify(
      From(IdentityHeaders(Editor(), kSecret, then)), absl::Now());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(got.status().message().find(kIdentityTimeHeader),
            absl::string_view::npos);
}

TEST(IdentityTest, TreatsNoIdentityHeadersAsAnonymous) {
  auto got = IdentityVerifier(kSecret).Verify(From({}), absl::Now());
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->anonymous());
  EXPECT_TRUE(got->roles.empty());
}

TEST(IdentityTest, TrustsUnsignedHeadersWithoutASecret) {
  absl::Time now = absl::Now();
  IdentityVerifier verifier("");
  EXPECT_FALSE(verifier.signing_required());
  auto got = verifier.Verify(From(IdentityHeaders(Editor(), "", now)), now);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->subject, "anna@169");
}

TEST(IdentityTest, RefusesUnknownMunicipalityCode) {
  absl::Time now = absl::Now();
  Identity who{{"999"}, {Role::kViewer}, "x"};
  auto got = IdentityVerifier(kSecret).Verify(
      From(IdentityHeaders(who, kSecret, now)), now);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find(kMunicipalitiesHeader),
            absl::string_view::npos);
}

TEST(IdentityTest, RefusesUnknownRole) {
  absl::Time now = absl::Now();
  auto headers = IdentityHeaders(Editor(), "", now);
  headers[kRolesHeader] = "editor,superuser";
  auto got = IdentityVerifier("").Verify(From(headers), now);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("superuser"), absl::string_view::npos);
}

TEST(IdentityTest, RefusesIdentityWithoutSubject) {
  absl::Time now = absl::Now();
  Identity who{{"169"}, {Role::kViewer}, ""};
  auto got =
      IdentityVerifier("").Verify(From(IdentityHeaders(who, "", now)), now);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(IdentityTest, RefusesASubjectThatIsNotText) {
  absl::Time now = absl::Now();
  for (std::string subject : {std::string("s\xf8ren"), std::string(300, 'a'),
                              std::string("a\0b", 3)}) {
    Identity who{{"169"}, {Role::kViewer}, subject};
    auto got = IdentityVerifier(kSecret).Verify(
        From(IdentityHeaders(who, kSecret, now)), now);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(kSubjectHeader),
              absl::string_view::npos);
  }
  Identity dane{{"169"}, {Role::kViewer}, "Søren Ærø"};
  EXPECT_TRUE(IdentityVerifier(kSecret)
                  .Verify(From(IdentityHeaders(dane, kSecret, now)), now)
                  .ok());
}

TEST(IdentityTest, NamesEveryRole) {
  for (Role role : {Role::kViewer, Role::kEditor, Role::kSecretary,
                    Role::kAnalyst, Role::kIntegration, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(ParseRole("anonymous"), std::nullopt);
}

}  // namespace
}  // namespace kommune
