#include "gateway/access_policy.h"

#include <google/protobuf/text_format.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPolicyService[] = "kommune.policy.v1.PolicyService";
constexpr char kFeedService[] = "kommune.common.v1.ChangeFeedService";

MATCHER_P2(StatusIs, code, substring, "") {
  *result_listener << arg;
  return arg.code() == code &&
         std::string(arg.message()).find(substring) != std::string::npos;
}

GatewayConfig Config(const std::string& text) {
  GatewayConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config))
      << text;
  return config;
}

Caller Anonymous() {
  Caller caller;
  caller.principal = "address:127.0.0.1";
  return caller;
}

Caller WithRoles(std::vector<Role> roles,
                 std::vector<std::string> municipalities = {"169"}) {
  Caller caller;
  caller.kind = Caller::Kind::kToken;
  caller.identity.subject = "anna@kommune.dk";
  caller.identity.roles = std::move(roles);
  caller.identity.municipality_codes = std::move(municipalities);
  caller.principal = "token:anna@kommune.dk";
  return caller;
}

// --- RuleFor ---

class RuleForTest : public ::testing::Test {
 protected:
  RuleForTest()
      : policy_(Config(R"pb(
          access_rules { method: "*" roles: "admin" }
          access_rules {
            method: "kommune.policy.v1.PolicyService/*"
            roles: "editor"
          }
          access_rules {
            method: "kommune.policy.v1.PolicyService/GetPolicy"
            allow_anonymous: true
          }
        )pb")) {}

  AccessPolicy policy_;
};

TEST_F(RuleForTest, ExactMethodWins) {
  const AccessPolicy::Rule* rule = policy_.RuleFor(kPolicyService, "GetPolicy");
  ASSERT_NE(rule, nullptr);
  EXPECT_TRUE(rule->allow_anonymous);
  EXPECT_THAT(rule->roles, IsEmpty());
}

TEST_F(RuleForTest, ServiceWildcardBeatsGlobalWildcard) {
  const AccessPolicy::Rule* rule =
      policy_.RuleFor(kPolicyService, "UpdatePolicy");
  ASSERT_NE(rule, nullptr);
  EXPECT_FALSE(rule->allow_anonymous);
  EXPECT_THAT(rule->roles, ElementsAre(Role::kEditor));
}

TEST_F(RuleForTest, GlobalWildcardIsTheFallback) {
  const AccessPolicy::Rule* rule = policy_.RuleFor(kFeedService, "ListEvents");
  ASSERT_NE(rule, nullptr);
  EXPECT_THAT(rule->roles, ElementsAre(Role::kAdmin));
}

TEST(RuleForNoWildcardTest, NoRuleIsNull) {
  AccessPolicy policy(Config(R"pb(
    access_rules {
      method: "kommune.policy.v1.PolicyService/GetPolicy"
      allow_anonymous: true
    }
  )pb"));
  EXPECT_EQ(policy.RuleFor(kPolicyService, "UpdatePolicy"), nullptr);
  EXPECT_EQ(policy.RuleFor(kFeedService, "GetPolicy"), nullptr);
  EXPECT_NE(policy.RuleFor(kPolicyService, "GetPolicy"), nullptr);
  EXPECT_EQ(AccessPolicy(GatewayConfig()).RuleFor(kPolicyService, "GetPolicy"),
            nullptr);
}

TEST(RuleForNoWildcardTest, ServiceWildcardDoesNotCoverOtherServices) {
  AccessPolicy policy(Config(R"pb(
    access_rules { method: "kommune.policy.v1.PolicyService/*" roles: "viewer" }
  )pb"));
  EXPECT_NE(policy.RuleFor(kPolicyService, "ListPolicies"), nullptr);
  EXPECT_EQ(policy.RuleFor(kFeedService, "ListEvents"), nullptr);
  EXPECT_EQ(policy.RuleFor("kommune.policy.v1.PolicyServiceV2", "GetPolicy"),
            nullptr);
}

// --- Check ---

class CheckTest : public ::testing::Test {
 protected:
  CheckTest()
      : policy_(Config(R"pb(
          access_rules {
            method: "kommune.policy.v1.PolicyService/GetPolicy"
            allow_anonymous: true
          }
          access_rules {
            method: "kommune.policy.v1.PolicyService/*"
            roles: "editor"
            roles: "admin"
          }
          access_rules {
            method: "kommune.policy.v1.PolicyService/AdoptPolicy"
            roles: "secretary"
          }
        )pb")) {}

  AccessPolicy policy_;
};

TEST_F(CheckTest, AnonymousMayCallAnonymousMethods) {
  EXPECT_TRUE(policy_.Check(kPolicyService, "GetPolicy", Anonymous()).ok());
}

TEST_F(CheckTest, AnonymousNeedsCredentialsElsewhere) {
  EXPECT_THAT(policy_.Check(kPolicyService, "UpdatePolicy", Anonymous()),
              StatusIs(absl::StatusCode::kUnauthenticated, "UpdatePolicy"));
  // Also where no rule applies at all: credentials come first.
  EXPECT_THAT(policy_.Check(kFeedService, "ListEvents", Anonymous()),
              StatusIs(absl::StatusCode::kUnauthenticated, "credentials"));
}

TEST_F(CheckTest, AuthenticatedCallerMayCallAnonymousMethods) {
  EXPECT_TRUE(policy_.Check(kPolicyService, "GetPolicy", WithRoles({})).ok());
  EXPECT_TRUE(
      policy_.Check(kPolicyService, "GetPolicy", WithRoles({Role::kViewer}))
          .ok());
}

TEST_F(CheckTest, AnyOfTheRulesRolesSuffices) {
  EXPECT_TRUE(
      policy_.Check(kPolicyService, "UpdatePolicy", WithRoles({Role::kEditor}))
          .ok());
  EXPECT_TRUE(policy_
                  .Check(kPolicyService, "UpdatePolicy",
                         WithRoles({Role::kViewer, Role::kAdmin}))
                  .ok());
}

TEST_F(CheckTest, MissingRoleIsPermissionDeniedNamingTheRoles) {
  absl::Status status =
      policy_.Check(kPolicyService, "UpdatePolicy", WithRoles({Role::kViewer}));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied,
                               "UpdatePolicy needs one of the roles: "
                               "editor, admin"));
}

TEST_F(CheckTest, ExactRuleReplacesTheServiceRule) {
  // AdoptPolicy's own rule names only the secretary: an editor, whom the
  // service's "*" would let in, is refused.
  EXPECT_TRUE(
      policy_
          .Check(kPolicyService, "AdoptPolicy", WithRoles({Role::kSecretary}))
          .ok());
  EXPECT_THAT(
      policy_.Check(kPolicyService, "AdoptPolicy", WithRoles({Role::kEditor})),
      StatusIs(absl::StatusCode::kPermissionDenied, "secretary"));
}

TEST_F(CheckTest, MethodWithoutRuleIsDenied) {
  EXPECT_THAT(
      policy_.Check(kFeedService, "ListEvents", WithRoles({Role::kAdmin})),
      StatusIs(absl::StatusCode::kPermissionDenied, "ListEvents"));
}

TEST(CheckDevConfigTest, DevelopmentRules) {
  auto config = LoadConfig(KOMMUNE_SOURCE_DIR "/gateway/dev/gateway.textproto");
  ASSERT_TRUE(config.ok()) << config.status();
  AccessPolicy policy(*config);
  EXPECT_TRUE(policy.Check(kPolicyService, "ListPolicies", Anonymous()).ok());
  EXPECT_EQ(policy.Check(kPolicyService, "CreatePolicy", Anonymous()).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(policy
                  .Check(kPolicyService, "SendPolicyToHearing",
                         WithRoles({Role::kSecretary}))
                  .ok());
  EXPECT_EQ(
      policy
          .Check(kPolicyService, "UpdatePolicy", WithRoles({Role::kSecretary}))
          .code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      policy.Check(kFeedService, "WatchEvents", WithRoles({Role::kIntegration}))
          .ok());
  EXPECT_EQ(policy.Check(kFeedService, "ListEvents", WithRoles({Role::kEditor}))
                .code(),
            absl::StatusCode::kPermissionDenied);
}

// --- CheckTenant and MunicipalityOf ---

TEST(CheckTenantTest, OwnMunicipalityPasses) {
  EXPECT_TRUE(CheckTenant(WithRoles({Role::kEditor}, {"169"}),
                          {"municipalities/169",
                           "municipalities/169/policies/integration-2007"})
                  .ok());
}

TEST(CheckTenantTest, OtherMunicipalityIsDeniedNamingTheName) {
  absl::Status status =
      CheckTenant(WithRoles({Role::kEditor}, {"169"}),
                  {"municipalities/169/policies/a",
                   "municipalities/101/policies/integration-2007"});
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied,
                               "\"municipalities/101/policies/"
                               "integration-2007\""));
  EXPECT_THAT(std::string(status.message()), HasSubstr("101"));
}

TEST(CheckTenantTest, CallerOfSeveralMunicipalities) {
  Caller caller = WithRoles({Role::kEditor}, {"101", "169", "751"});
  EXPECT_TRUE(CheckTenant(caller, {"municipalities/101/policies/a",
                                   "municipalities/751/policies/b",
                                   "municipalities/169"})
                  .ok());
  EXPECT_EQ(CheckTenant(caller, {"municipalities/101/policies/a",
                                 "municipalities/185/policies/b"})
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(CheckTenantTest, CodeMustMatchExactly) {
  Caller caller = WithRoles({Role::kEditor}, {"16"});
  EXPECT_EQ(CheckTenant(caller, {"municipalities/169/policies/a"}).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckTenant(WithRoles({Role::kEditor}, {}),
                        {"municipalities/169/policies/a"})
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(CheckTenantTest, EveryMunicipalityIsLeftToTheService) {
  EXPECT_TRUE(
      CheckTenant(WithRoles({Role::kViewer}, {"169"}), {"municipalities/-"})
          .ok());
}

TEST(CheckTenantTest, AnonymousCallerPasses) {
  EXPECT_TRUE(CheckTenant(Anonymous(), {"municipalities/101/policies/a"}).ok());
}

TEST(CheckTenantTest, NamesOutsideMunicipalitiesPass) {
  EXPECT_TRUE(CheckTenant(WithRoles({Role::kAdmin}, {"169"}),
                          {"operations/123", "policies/a", ""})
                  .ok());
  EXPECT_TRUE(CheckTenant(WithRoles({Role::kAdmin}, {"169"}), {}).ok());
}

TEST(MunicipalityOfTest, ReadsTheCode) {
  EXPECT_EQ(MunicipalityOf("municipalities/169"), "169");
  EXPECT_EQ(MunicipalityOf("municipalities/169/policies/integration-2007"),
            "169");
  EXPECT_EQ(MunicipalityOf("municipalities/169/policies/a@rev-3"), "169");
  EXPECT_EQ(MunicipalityOf("municipalities/-"), "-");
}

TEST(MunicipalityOfTest, EmptyOutsideMunicipalities) {
  EXPECT_EQ(MunicipalityOf(""), "");
  EXPECT_EQ(MunicipalityOf("policies/169"), "");
  EXPECT_EQ(MunicipalityOf("municipality/169"), "");
  EXPECT_EQ(MunicipalityOf("x/municipalities/169"), "");
  EXPECT_EQ(MunicipalityOf("municipalities/"), "");
}

}  // namespace
}  // namespace kommune::gateway
