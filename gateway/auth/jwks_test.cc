#include "gateway/auth/jwks.h"

#include <string>

#include "absl/status/status.h"
#include "gateway/auth/token_minter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace kommune::gateway {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

MATCHER_P2(StatusIs, code, substring, "") {
  return arg.code() == code &&
         std::string(arg.message()).find(substring) != std::string::npos;
}

json EcJwk(const std::string& kid) {
  return TokenMinter::Create(JwsAlgorithm::kEs256, kid)->Jwk();
}

json RsaJwk(const std::string& kid) {
  return TokenMinter::Create(JwsAlgorithm::kRs256, kid)->Jwk();
}

absl::Status ParseStatus(const json& doc) {
  return JwksKeys::Parse(doc.dump()).status();
}

TEST(Base64UrlTest, DecodesUnpaddedAlphabetOnly) {
  std::string out;
  EXPECT_TRUE(Base64UrlDecode("", &out));
  EXPECT_EQ(out, "");
  EXPECT_TRUE(Base64UrlDecode("-_8", &out));
  EXPECT_EQ(out, "\xfb\xff");
  EXPECT_TRUE(Base64UrlDecode("QUI", &out));
  EXPECT_EQ(out, "AB");
  EXPECT_FALSE(Base64UrlDecode("QUI=", &out));   // Padding.
  EXPECT_FALSE(Base64UrlDecode("+/8", &out));    // Plain base64.
  EXPECT_FALSE(Base64UrlDecode("QU I", &out));   // Whitespace.
  EXPECT_FALSE(Base64UrlDecode("QUIDQ", &out));  // Impossible length.
  EXPECT_FALSE(Base64UrlDecode("QUJ", &out));    // Non-zero spare bits.
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(JwksKeysTest, ParsesEcAndRsaKeysWithTheirAlgorithms) {
  json doc = {{"keys", {EcJwk("ec-1"), RsaJwk("rsa-1")}}};
  auto keys = JwksKeys::Parse(doc.dump());
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ((*keys)->keys().size(), 2u);
  ASSERT_NE((*keys)->Find("ec-1"), nullptr);
  EXPECT_EQ((*keys)->Find("ec-1")->algorithm(), JwsAlgorithm::kEs256);
  ASSERT_NE((*keys)->Find("rsa-1"), nullptr);
  EXPECT_EQ((*keys)->Find("rsa-1")->algorithm(), JwsAlgorithm::kRs256);
  EXPECT_EQ((*keys)->Find("other"), nullptr);
}

TEST(JwksKeysTest, AlgorithmComesFromKtyWhenAlgIsAbsent) {
  json ec = EcJwk("ec-1");
  json rsa = RsaJwk("rsa-1");
  ec.erase("alg");
  ec.erase("use");
  rsa.erase("alg");
  auto keys = JwksKeys::Parse(json{{"keys", {ec, rsa}}}.dump());
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ((*keys)->Find("ec-1")->algorithm(), JwsAlgorithm::kEs256);
  EXPECT_EQ((*keys)->Find("rsa-1")->algorithm(), JwsAlgorithm::kRs256);
}

TEST(JwksKeysTest, SkipsKeysItCannotUse) {
  json enc = EcJwk("enc");
  enc["use"] = "enc";
  json oct = {{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}};
  json p384 = EcJwk("p384");
  p384["crv"] = "P-384";
  json rs384 = RsaJwk("rs384");
  rs384["alg"] = "RS384";
  json doc = {{"keys", {enc, oct, p384, rs384, EcJwk("good")}}};
  auto keys = JwksKeys::Parse(doc.dump());
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ((*keys)->keys().size(), 1u);
  EXPECT_EQ((*keys)->keys()[0].kid(), "good");
}

TEST(JwksKeysTest, NoUsableKeyIsAnError) {
  json oct = {{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}};
  EXPECT_THAT(ParseStatus({{"keys", {oct}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "no usable"));
  EXPECT_THAT(ParseStatus({{"keys", json::array()}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "no usable"));
}

TEST(JwksKeysTest, MalformedDocumentsAreInvalidArgument) {
  EXPECT_THAT(JwksKeys::Parse("{not json").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "not valid JSON"));
  EXPECT_THAT(JwksKeys::Parse("[]").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "JSON object"));
  EXPECT_THAT(ParseStatus({{"keys", "x"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "keys: must be"));
  EXPECT_THAT(ParseStatus({{"keys", {1}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "keys[0]: must be"));
}

TEST(JwksKeysTest, ErrorsNameTheField) {
  json no_kid = EcJwk("x");
  no_kid.erase("kid");
  EXPECT_THAT(ParseStatus({{"keys", {no_kid}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "keys[0].kid"));

  json wrong_alg = RsaJwk("r");
  wrong_alg["alg"] = "ES256";
  EXPECT_THAT(ParseStatus({{"keys", {EcJwk("e"), wrong_alg}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "keys[1].alg"));

  json short_x = EcJwk("e");
  short_x["x"] = "AAAA";
  EXPECT_THAT(ParseStatus({{"keys", {short_x}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "keys[0].x: must be 32 bytes"));

  json bad_n = RsaJwk("r");
  bad_n["n"] = "not base64url!";
  EXPECT_THAT(ParseStatus({{"keys", {bad_n}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "keys[0].n"));

  json number_kid = EcJwk("e");
  number_kid["kid"] = 7;
  EXPECT_THAT(ParseStatus({{"keys", {number_kid}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "keys[0].kid: must be a string"));
}

TEST(JwksKeysTest, DuplicateKidIsAnError) {
  EXPECT_THAT(
      ParseStatus({{"keys", {EcJwk("same"), RsaJwk("same")}}}),
      StatusIs(absl::StatusCode::kInvalidArgument, "keys[1].kid: duplicate"));
}

TEST(JwksKeysTest, RejectsPointOffTheCurve) {
  json key = EcJwk("e");
  std::string y;
  ASSERT_TRUE(Base64UrlDecode(key["y"].get<std::string>(), &y));
  y[31] = static_cast<char>(y[31] ^ 1);
  key["y"] = Base64UrlEncode(y);
  EXPECT_THAT(ParseStatus({{"keys", {key}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "keys[0]"));
}

TEST(JwksKeysTest, RejectsShortRsaKeys) {
  json key = RsaJwk("r");
  key["n"] = Base64UrlEncode(std::string(128, '\xc3'));  // 1024 bits.
  EXPECT_THAT(ParseStatus({{"keys", {key}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "too short"));
}

TEST(JwksKeyTest, VerifiesOnlyItsOwnSignatures) {
  for (JwsAlgorithm alg : {JwsAlgorithm::kEs256, JwsAlgorithm::kRs256}) {
    auto minter = TokenMinter::Create(alg, "k");
    ASSERT_TRUE(minter.ok());
    auto keys = JwksKeys::Parse(minter->JwksJson());
    ASSERT_TRUE(keys.ok()) << keys.status();
    const JwksKey* key = (*keys)->Find("k");
    ASSERT_NE(key, nullptr);
    auto signature = minter->Sign("a.b");
    ASSERT_TRUE(signature.ok());
    if (alg == JwsAlgorithm::kEs256) {
      EXPECT_EQ(signature->size(), 64u);
    }
    EXPECT_TRUE(key->Verify("a.b", *signature).ok());
    EXPECT_THAT(key->Verify("a.c", *signature),
                StatusIs(absl::StatusCode::kUnauthenticated, "invalid"));
    EXPECT_THAT(key->Verify("a.b", signature->substr(1)),
                StatusIs(absl::StatusCode::kUnauthenticated, ""));
  }
}

TEST(TokenMinterTest, PrivateKeyPemRoundTrips) {
  auto minter = TokenMinter::Create(JwsAlgorithm::kEs256, "dev-1");
  ASSERT_TRUE(minter.ok());
  std::string pem = minter->PrivateKeyPem();
  EXPECT_THAT(pem, HasSubstr("BEGIN PRIVATE KEY"));
  auto again =
      TokenMinter::FromPrivateKeyPem(pem, JwsAlgorithm::kEs256, "dev-1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->JwksJson(), minter->JwksJson());

  EXPECT_THAT(
      TokenMinter::FromPrivateKeyPem(pem, JwsAlgorithm::kRs256, "x").status(),
      StatusIs(absl::StatusCode::kInvalidArgument, "RSA"));
  EXPECT_THAT(TokenMinter::FromPrivateKeyPem("junk", JwsAlgorithm::kEs256, "x")
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "PEM"));
}

TEST(TokenMinterTest, MintRejectsNonObjectClaims) {
  auto minter = TokenMinter::Create(JwsAlgorithm::kEs256, "k");
  ASSERT_TRUE(minter.ok());
  EXPECT_FALSE(minter->Mint(json::array()).ok());
  EXPECT_FALSE(minter->Mint(json::object(), json::array()).ok());
  EXPECT_TRUE(minter->Mint(json::object()).ok());
}

}  // namespace
}  // namespace kommune::gateway
