#include "gateway/caller.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/auth/api_keys.h"
#include "gateway/auth/jwks_file.h"
#include "gateway/auth/token_minter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace kommune::gateway {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kIssuer[] = "https://idp.kommune.example";
constexpr char kAudience[] = "kommune-gateway";

// --- PeerAddress ---

TEST(PeerAddressTest, Ipv4) {
  EXPECT_EQ(PeerAddress("ipv4:127.0.0.1:5000"), "127.0.0.1");
  EXPECT_EQ(PeerAddress("ipv4:10.20.30.40:65535"), "10.20.30.40");
}

TEST(PeerAddressTest, Ipv6) {
  EXPECT_EQ(PeerAddress("ipv6:[::1]:5000"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8::7]:443"), "2001:db8::7");
}

// gRPC 1.51 (Debian 12) percent-encodes the brackets of an IPv6 peer:
// ServerContext::peer() is "ipv6:%5B::1%5D:5000". The address must not keep
// the port, or every connection of an anonymous IPv6 client is a new
// rate-limit principal.
TEST(PeerAddressTest, Ipv6AsGrpcReportsIt) {
  EXPECT_EQ(PeerAddress("ipv6:%5B::1%5D:5000"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:%5B2001:db8::7%5D:443"), "2001:db8::7");
}

TEST(PeerAddressTest, OtherStringsAreKept) {
  EXPECT_EQ(PeerAddress("unix:/run/gateway.sock"), "unix:/run/gateway.sock");
  EXPECT_EQ(PeerAddress("unknown"), "unknown");
  EXPECT_EQ(PeerAddress(""), "");
}

// --- Authenticator ---

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "caller_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    jwks_path_ = dir_ + "/jwks.json";

    auto minter = TokenMinter::Create(JwsAlgorithm::kEs256, "es-1");
    ASSERT_TRUE(minter.ok()) << minter.status();
    minter_ = std::make_unique<TokenMinter>(*std::move(minter));
    std::ofstream(jwks_path_) << minter_->JwksJson();
    jwks_ = std::make_shared<JwksFile>(jwks_path_);
    ASSERT_TRUE(jwks_->Load().ok());

    rules_.issuer = kIssuer;
    rules_.audience = kAudience;

    ci_ = MakeApiKey("ci");
    ci_.entry.municipalities = {"101", "999", "185", "101"};
    ci_.entry.roles = {"integration", "superuser", "viewer"};
    auto table = ApiKeyTable::Build({ci_.entry});
    ASSERT_TRUE(table.ok()) << table.status();
    keys_ = std::make_unique<ApiKeyTable>(*std::move(table));
  }

  void TearDown() override {
    std::remove(jwks_path_.c_str());
    rmdir(dir_.c_str());
  }

  Authenticator Make(std::shared_ptr<JwksFile> jwks) const {
    return Authenticator(std::move(jwks), rules_, *keys_);
  }

  json Claims() const {
    return {{"iss", kIssuer},
            {"aud", kAudience},
            {"sub", "anna@kommune.dk"},
            {"iat", absl::ToUnixSeconds(now_) - 10},
            {"exp", absl::ToUnixSeconds(now_ + absl::Hours(1))},
            {"municipalities", {"169", "999", "101", "169"}},
            {"roles", {"editor", "Domain Users", "secretary"}}};
  }

  std::string Token(const json& claims) const {
    auto token = minter_->Mint(claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  absl::StatusOr<Caller> Authenticate(
      const Authenticator& authenticator,
      std::map<std::string, std::string> headers) const {
    return authenticator.Authenticate(
        [headers](absl::string_view name) -> std::optional<std::string> {
          auto it = headers.find(std::string(name));
          if (it == headers.end()) return std::nullopt;
          return it->second;
        },
        "192.0.2.7", now_);
  }

  const absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::string dir_;
  std::string jwks_path_;
  std::unique_ptr<TokenMinter> minter_;
  std::shared_ptr<JwksFile> jwks_;
  JwtRules rules_;
  NewApiKey ci_;
  std::unique_ptr<ApiKeyTable> keys_;
};

TEST_F(AuthenticatorTest, ValidBearerToken) {
  auto caller = Authenticate(Make(jwks_),
                             {{"authorization", "Bearer " + Token(Claims())}});
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->kind, Caller::Kind::kToken);
  EXPECT_FALSE(caller->anonymous());
  EXPECT_EQ(caller->principal, "token:anna@kommune.dk");
  EXPECT_EQ(caller->identity.subject, "anna@kommune.dk");
  // "999" is no municipality and "Domain Users" no role: left out, as are
  // repeats.
  EXPECT_THAT(caller->identity.municipality_codes, ElementsAre("169", "101"));
  EXPECT_THAT(caller->identity.roles,
              ElementsAre(Role::kEditor, Role::kSecretary));
}

TEST_F(AuthenticatorTest, BearerSchemeIsCaseInsensitive) {
  auto caller = Authenticate(Make(jwks_),
                             {{"authorization", "bearer " + Token(Claims())}});
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->kind, Caller::Kind::kToken);
}

TEST_F(AuthenticatorTest, TokenWithoutClaimsHasNoMunicipalitiesOrRoles) {
  json claims = Claims();
  claims.erase("municipalities");
  claims.erase("roles");
  auto caller =
      Authenticate(Make(jwks_), {{"authorization", "Bearer " + Token(claims)}});
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->kind, Caller::Kind::kToken);
  EXPECT_THAT(caller->identity.municipality_codes, IsEmpty());
  EXPECT_THAT(caller->identity.roles, IsEmpty());
}

TEST_F(AuthenticatorTest, InvalidTokenIsUnauthenticated) {
  json claims = Claims();
  claims["exp"] = absl::ToUnixSeconds(now_ - absl::Hours(1));
  auto expired =
      Authenticate(Make(jwks_), {{"authorization", "Bearer " + Token(claims)}});
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(expired.status().message()),
              ::testing::StartsWith("authorization: "));

  auto garbage =
      Authenticate(Make(jwks_), {{"authorization", "Bearer not.a.token"}});
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, ValidApiKey) {
  auto caller = Authenticate(Make(jwks_), {{"x-api-key", ci_.presented}});
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->kind, Caller::Kind::kApiKey);
  EXPECT_EQ(caller->principal, "key:ci");
  EXPECT_EQ(caller->identity.subject, "key:ci");
  EXPECT_THAT(caller->identity.municipality_codes, ElementsAre("101", "185"));
  EXPECT_THAT(caller->identity.roles,
              ElementsAre(Role::kIntegration, Role::kViewer));
}

TEST_F(AuthenticatorTest, ApiKeyWorksWithoutJwks) {
  auto caller = Authenticate(Make(nullptr), {{"x-api-key", ci_.presented}});
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->kind, Caller::Kind::kApiKey);
}

TEST_F(AuthenticatorTest, WrongApiKeyIsUnauthenticated) {
  std::string wrong = ci_.presented;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  auto caller = Authenticate(Make(jwks_), {{"x-api-key", wrong}});
  EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(caller.status().message()),
              ::testing::StartsWith("x-api-key: "));
  EXPECT_EQ(Authenticate(Make(jwks_), {{"x-api-key", ""}}).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, BothCredentialsAreUnauthenticated) {
  auto caller =
      Authenticate(Make(jwks_), {{"authorization", "Bearer " + Token(Claims())},
                                 {"x-api-key", ci_.presented}});
  EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(caller.status().message()), HasSubstr("not both"));
}

TEST_F(AuthenticatorTest, OtherSchemesAreUnauthenticated) {
  for (const std::string& value :
       {std::string("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), std::string("Bearer "),
        std::string("Bearer"), std::string(""), "Token " + Token(Claims())}) {
    auto caller = Authenticate(Make(jwks_), {{"authorization", value}});
    EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated)
        << value;
  }
}

TEST_F(AuthenticatorTest, NoCredentialsIsAnonymous) {
  auto caller = Authenticate(Make(jwks_), {{"user-agent", "curl/7.88"}});
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->kind, Caller::Kind::kAnonymous);
  EXPECT_TRUE(caller->anonymous());
  EXPECT_EQ(caller->principal, "address:192.0.2.7");
  EXPECT_TRUE(caller->identity.anonymous());
  EXPECT_THAT(caller->identity.municipality_codes, IsEmpty());
  EXPECT_THAT(caller->identity.roles, IsEmpty());
}

TEST_F(AuthenticatorTest, BearerTokenWithoutJwksIsUnauthenticated) {
  Authenticator authenticator = Make(nullptr);
  EXPECT_EQ(authenticator.jwks_file(), nullptr);
  auto caller = Authenticate(authenticator,
                             {{"authorization", "Bearer " + Token(Claims())}});
  EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
  // Without credentials it is still anonymous.
  auto anonymous = Authenticate(authenticator, {});
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_TRUE(anonymous->anonymous());
}

}  // namespace
}  // namespace kommune::gateway

namespace kommune::gateway {
namespace {

// A verified token is remembered, but never beyond its validity or its key.
class TokenCacheTest : public AuthenticatorTest {
 protected:
  absl::StatusOr<Caller> At(const Authenticator& authenticator,
                            const std::string& token, absl::Time when) const {
    return authenticator.Authenticate(
        [&token](absl::string_view name) -> std::optional<std::string> {
          if (name == "authorization") return "Bearer " + token;
          return std::nullopt;
        },
        "192.0.2.7", when);
  }
};

TEST_F(TokenCacheTest, ARememberedTokenStillExpires) {
  Authenticator authenticator = Make(jwks_);
  const std::string token = Token(Claims());
  ASSERT_TRUE(At(authenticator, token, now_).ok());
  ASSERT_TRUE(At(authenticator, token, now_ + absl::Minutes(30)).ok());
  // exp is now_ + 1 h; past it and the skew the token is refused.
  auto late = At(authenticator, token,
                 now_ + absl::Hours(1) + rules_.clock_skew + absl::Seconds(1));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(TokenCacheTest, ARememberedTokenIsNotValidBeforeItsTime) {
  Authenticator authenticator = Make(jwks_);
  json claims = Claims();
  claims["nbf"] = absl::ToUnixSeconds(now_);
  const std::string token = Token(claims);
  ASSERT_TRUE(At(authenticator, token, now_).ok());
  auto early =
      At(authenticator, token, now_ - rules_.clock_skew - absl::Seconds(1));
  EXPECT_EQ(early.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(TokenCacheTest, ARememberedTokenDiesWithItsKey) {
  Authenticator authenticator = Make(jwks_);
  const std::string token = Token(Claims());
  ASSERT_TRUE(At(authenticator, token, now_).ok());
  auto other = TokenMinter::Create(JwsAlgorithm::kEs256, "es-2");
  ASSERT_TRUE(other.ok());
  std::ofstream(jwks_path_, std::ios::trunc) << other->JwksJson();
  ASSERT_TRUE(jwks_->Reload().ok());
  auto revoked = At(authenticator, token, now_);
  EXPECT_EQ(revoked.status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace kommune::gateway
