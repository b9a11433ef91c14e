#include "gateway/auth/jwt_verifier.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gateway/auth/jwks.h"
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

MATCHER_P(Unauthenticated, substring, "") {
  if (arg.ok()) {
    *result_listener << "accepted";
    return false;
  }
  *result_listener << arg.status();
  return arg.status().code() == absl::StatusCode::kUnauthenticated &&
         std::string(arg.status().message()).find(substring) !=
             std::string::npos;
}

constexpr char kIssuer[] = "https://idp.kommune.example";
constexpr char kAudience[] = "kommune-gateway";

std::string B64(absl::string_view s) { return Base64UrlEncode(s); }

// A token with any header, payload and signature bytes, for attacks.
std::string RawToken(const json& header, const json& payload,
                     absl::string_view signature) {
  return absl::StrCat(B64(header.dump()), ".", B64(payload.dump()), ".",
                      B64(signature));
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto es = TokenMinter::Create(JwsAlgorithm::kEs256, "es-1");
    auto rs = TokenMinter::Create(JwsAlgorithm::kRs256, "rs-1");
    ASSERT_TRUE(es.ok() && rs.ok());
    es_ = std::make_unique<TokenMinter>(*std::move(es));
    rs_ = std::make_unique<TokenMinter>(*std::move(rs));
    json doc = {{"keys", {es_->Jwk(), rs_->Jwk()}}};
    auto keys = JwksKeys::Parse(doc.dump());
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = *keys;
    rules_.issuer = kIssuer;
    rules_.audience = kAudience;
  }

  json Claims() const {
    return {{"iss", kIssuer},
            {"aud", kAudience},
            {"sub", "anna@kommune.dk"},
            {"iat", absl::ToUnixSeconds(now_) - 10},
            {"exp", absl::ToUnixSeconds(now_ + absl::Hours(1))},
            {"municipalities", {"101", "185"}},
            {"roles", {"editor", "viewer"}}};
  }

  std::string Mint(const TokenMinter& minter, const json& claims,
                   const json& extra_header = {}) {
    auto token = minter.Mint(claims, extra_header);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  absl::StatusOr<VerifiedToken> Verify(absl::string_view token) {
    return VerifyJwt(token, *keys_, rules_, now_);
  }

  const absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::unique_ptr<TokenMinter> es_;
  std::unique_ptr<TokenMinter> rs_;
  std::shared_ptr<const JwksKeys> keys_;
  JwtRules rules_;
};

TEST_F(JwtVerifierTest, AcceptsValidEs256Token) {
  auto verified = Verify(Mint(*es_, Claims()));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->subject, "anna@kommune.dk");
  EXPECT_EQ(verified->issuer, kIssuer);
  EXPECT_THAT(verified->municipalities, ElementsAre("101", "185"));
  EXPECT_THAT(verified->roles, ElementsAre("editor", "viewer"));
  EXPECT_EQ(verified->expiry, now_ + absl::Hours(1));
}

TEST_F(JwtVerifierTest, AcceptsValidRs256Token) {
  json claims = Claims();
  claims["roles"] = {"admin"};
  claims.erase("municipalities");
  auto verified = Verify(Mint(*rs_, claims));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->subject, "anna@kommune.dk");
  EXPECT_THAT(verified->municipalities, IsEmpty());
  EXPECT_THAT(verified->roles, ElementsAre("admin"));
}

TEST_F(JwtVerifierTest, ReadsConfiguredClaimNames) {
  rules_.municipalities_claim = "https://kommune.dk/kommuner";
  rules_.roles_claim = "groups";
  json claims = Claims();
  claims["https://kommune.dk/kommuner"] = {"751"};
  claims["groups"] = {"analyst"};
  auto verified = Verify(Mint(*es_, claims));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_THAT(verified->municipalities, ElementsAre("751"));
  EXPECT_THAT(verified->roles, ElementsAre("analyst"));
}

TEST_F(JwtVerifierTest, RejectsMissingParts) {
  std::string token = Mint(*es_, Claims());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_THAT(Verify(""), Unauthenticated("compact JWS"));
  EXPECT_THAT(Verify(absl::StrCat(parts[0], ".", parts[1])),
              Unauthenticated("compact JWS"));
  EXPECT_THAT(Verify(absl::StrCat(token, ".")), Unauthenticated("compact JWS"));
  EXPECT_THAT(Verify(absl::StrCat(parts[0], ".", parts[1], ".")),
              Unauthenticated("signature"));
}

TEST_F(JwtVerifierTest, RejectsMalformedBase64) {
  std::string token = Mint(*es_, Claims());
  EXPECT_THAT(Verify(absl::StrCat("eyJ+", token.substr(4))),
              Unauthenticated("header is not valid base64url"));
  EXPECT_THAT(Verify(absl::StrCat(token, "*")),
              Unauthenticated("signature is not valid base64url"));
}

TEST_F(JwtVerifierTest, RejectsMalformedJson) {
  std::string token = Mint(*es_, Claims());
  std::string rest = token.substr(token.find('.'));
  EXPECT_THAT(Verify(absl::StrCat(B64("{\"alg\":\"ES256\""), rest)),
              Unauthenticated("header is not a JSON object"));
  EXPECT_THAT(Verify(absl::StrCat(B64("[\"ES256\"]"), rest)),
              Unauthenticated("header is not a JSON object"));
  // A well-signed payload that is not JSON.
  std::string input = absl::StrCat(B64(R"({"alg":"ES256","kid":"es-1"})"), ".",
                                   B64("not json"));
  auto signature = es_->Sign(input);
  ASSERT_TRUE(signature.ok());
  EXPECT_THAT(Verify(absl::StrCat(input, ".", B64(*signature))),
              Unauthenticated("payload is not a JSON object"));
}

TEST_F(JwtVerifierTest, RejectsAlgNone) {
  std::string token =
      RawToken({{"alg", "none"}, {"kid", "es-1"}}, Claims(), "");
  EXPECT_THAT(Verify(token), Unauthenticated("algorithm \"none\" is not"));
  token = RawToken({{"alg", "none"}}, Claims(), "");
  EXPECT_THAT(Verify(token), Unauthenticated("algorithm \"none\" is not"));
}

TEST_F(JwtVerifierTest, RejectsHs256KeyedWithThePublicKey) {
  // The classic confusion: a verifier that feeds "the key" to whatever alg
  // the token names would check this MAC with the public key as secret.
  const JwksKey* key = keys_->Find("rs-1");
  ASSERT_NE(key, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio, key->pkey()), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string public_pem(data, static_cast<size_t>(len));
  BIO_free(bio);

  std::string n;
  ASSERT_TRUE(Base64UrlDecode(rs_->Jwk()["n"].get<std::string>(), &n));
  for (const std::string& secret : {public_pem, n}) {
    std::string input = absl::StrCat(
        B64(json({{"alg", "HS256"}, {"kid", "rs-1"}, {"typ", "JWT"}}).dump()),
        ".", B64(Claims().dump()));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         mac, &mac_len);
    std::string token = absl::StrCat(
        input, ".",
        B64(absl::string_view(reinterpret_cast<char*>(mac), mac_len)));
    EXPECT_THAT(Verify(token), Unauthenticated("algorithm \"HS256\" is not"));
  }
}

TEST_F(JwtVerifierTest, RejectsUnknownKid) {
  EXPECT_THAT(Verify(Mint(*es_, Claims(), {{"kid", "k9"}})),
              Unauthenticated("unknown key id \"k9\""));
  json header = {{"alg", "ES256"}, {"typ", "JWT"}};
  EXPECT_THAT(Verify(RawToken(header, Claims(), std::string(64, 'x'))),
              Unauthenticated("no \"kid\""));
}

TEST_F(JwtVerifierTest, RejectsTokenExpiredBeyondSkew) {
  json claims = Claims();
  claims["exp"] = absl::ToUnixSeconds(now_ - absl::Seconds(61));
  EXPECT_THAT(Verify(Mint(*es_, claims)),
              Unauthenticated("token expired at 2023-11-14T22:12:19Z"));
  claims["exp"] = absl::ToUnixSeconds(now_ - absl::Seconds(60));
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("expired"));
}

TEST_F(JwtVerifierTest, RejectsTokenWithoutExp) {
  json claims = Claims();
  claims.erase("exp");
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("no \"exp\""));
  claims["exp"] = "tomorrow";
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("not a number"));
}

TEST_F(JwtVerifierTest, RejectsTokenNotYetValidBeyondSkew) {
  json claims = Claims();
  claims["nbf"] = absl::ToUnixSeconds(now_ + absl::Seconds(61));
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("not valid before"));
}

TEST_F(JwtVerifierTest, AcceptsTimesWithinSkew) {
  json claims = Claims();
  claims["exp"] = absl::ToUnixSeconds(now_ - absl::Seconds(59));
  claims["nbf"] = absl::ToUnixSeconds(now_ + absl::Seconds(60));
  auto verified = Verify(Mint(*es_, claims));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->expiry, now_ - absl::Seconds(59));

  claims["exp"] = absl::ToUnixSeconds(now_) + 0.5;  // Fractional NumericDate.
  rules_.clock_skew = absl::ZeroDuration();
  claims.erase("nbf");
  EXPECT_TRUE(Verify(Mint(*es_, claims)).ok());
}

TEST_F(JwtVerifierTest, RejectsWrongIssuer) {
  json claims = Claims();
  claims["iss"] = "https://evil.example";
  EXPECT_THAT(Verify(Mint(*es_, claims)),
              Unauthenticated("issuer \"https://evil.example\""));
  claims.erase("iss");
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("no \"iss\""));
}

TEST_F(JwtVerifierTest, RejectsWrongAudience) {
  json claims = Claims();
  claims["aud"] = "another-service";
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("audience"));
  claims["aud"] = {"another-service", "yet-another"};
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("audience"));
  claims["aud"] = 42;
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("\"aud\" must be"));
  claims.erase("aud");
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("no \"aud\""));
}

TEST_F(JwtVerifierTest, AcceptsAudienceArray) {
  json claims = Claims();
  claims["aud"] = {"another-service", kAudience};
  auto verified = Verify(Mint(*es_, claims));
  EXPECT_TRUE(verified.ok()) << verified.status();
}

TEST_F(JwtVerifierTest, RejectsTamperedPayload) {
  for (const TokenMinter* minter : {es_.get(), rs_.get()}) {
    std::vector<std::string> parts =
        absl::StrSplit(Mint(*minter, Claims()), '.');
    json claims = Claims();
    claims["roles"] = {"admin"};
    std::string tampered =
        absl::StrCat(parts[0], ".", B64(claims.dump()), ".", parts[2]);
    EXPECT_THAT(Verify(tampered), Unauthenticated("signature is invalid"));
  }
}

TEST_F(JwtVerifierTest, RejectsSignatureOfAnotherKeyWithTheSameKid) {
  auto stranger = TokenMinter::Create(JwsAlgorithm::kEs256, "es-1");
  ASSERT_TRUE(stranger.ok());
  EXPECT_THAT(Verify(Mint(*stranger, Claims())),
              Unauthenticated("signature is invalid"));
}

TEST_F(JwtVerifierTest, RejectsAlgorithmThatDoesNotMatchTheKey) {
  // An RS256 token whose kid names the ES256 key.
  auto rsa = TokenMinter::Create(JwsAlgorithm::kRs256, "es-1");
  ASSERT_TRUE(rsa.ok());
  EXPECT_THAT(Verify(Mint(*rsa, Claims())),
              Unauthenticated("does not match key \"es-1\""));
  // An ES256 token claiming to be RS256.
  EXPECT_THAT(Verify(Mint(*es_, Claims(), {{"alg", "RS256"}})),
              Unauthenticated("does not match"));
}

TEST_F(JwtVerifierTest, RejectsEs256SignatureOfWrongLength) {
  std::vector<std::string> parts = absl::StrSplit(Mint(*es_, Claims()), '.');
  std::string sig;
  ASSERT_TRUE(Base64UrlDecode(parts[2], &sig));
  ASSERT_EQ(sig.size(), 64u);
  std::string token =
      absl::StrCat(parts[0], ".", parts[1], ".", B64(sig + std::string(1, 0)));
  EXPECT_THAT(Verify(token), Unauthenticated("64 bytes"));
}

TEST_F(JwtVerifierTest, RejectsMissingSubject) {
  json claims = Claims();
  claims["sub"] = "";
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("no \"sub\""));
  claims.erase("sub");
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("no \"sub\""));
}

TEST_F(JwtVerifierTest, RejectsClaimsOfTheWrongType) {
  json claims = Claims();
  claims["municipalities"] = "101";
  EXPECT_THAT(
      Verify(Mint(*es_, claims)),
      Unauthenticated("\"municipalities\" must be an array of strings"));
  claims = Claims();
  claims["roles"] = {"editor", 7};
  EXPECT_THAT(Verify(Mint(*es_, claims)),
              Unauthenticated("\"roles\" must be an array of strings"));
}

TEST_F(JwtVerifierTest, RejectsCriticalHeaderExtensions) {
  EXPECT_THAT(Verify(Mint(*es_, Claims(), {{"crit", {"exp"}}, {"exp", 1}})),
              Unauthenticated("crit"));
}

TEST_F(JwtVerifierTest, RejectsOversizedToken) {
  json claims = Claims();
  claims["padding"] = std::string(kMaxJwtBytes, 'x');
  EXPECT_THAT(Verify(Mint(*es_, claims)), Unauthenticated("16 KiB"));
}

TEST_F(JwtVerifierTest, RulesWithoutIssuerOrAudienceAreInvalid) {
  rules_.issuer = "";
  EXPECT_EQ(Verify(Mint(*es_, Claims())).status().code(),
            absl::StatusCode::kInvalidArgument);
  rules_.issuer = kIssuer;
  rules_.audience = "";
  EXPECT_EQ(Verify(Mint(*es_, Claims())).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kommune::gateway
