#include "gateway/config.h"

#include <google/protobuf/text_format.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

// The smallest configuration that validates once defaults are applied.
GatewayConfig ValidConfig() {
  GatewayConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        grpc { address: "127.0.0.1:8443" }
        backends {
          name: "policy"
          services: "kommune.policy.v1.PolicyService"
          addresses: "127.0.0.1:50051"
        }
      )pb",
      &config));
  ApplyDefaults(config);
  return config;
}

// --- ParseConfig ---

TEST(ParseConfigTest, ParsesTextProto) {
  auto config = ParseConfig("gateway.textproto", R"pb(
    grpc { address: "0.0.0.0:8443" }
    backends { name: "policy" addresses: "dns:///policy:50051" }
    rate_limits {
      municipality_overrides {
        key: "101"
        value { rate_per_second: 5 burst: 10 }
      }
    }
  )pb");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc().address(), "0.0.0.0:8443");
  ASSERT_EQ(config->backends_size(), 1);
  EXPECT_EQ(config->backends(0).addresses(0), "dns:///policy:50051");
  EXPECT_EQ(config->rate_limits().municipality_overrides().at("101").burst(),
            10);
}

TEST(ParseConfigTest, UnknownTextFieldNamesLineAndField) {
  auto config = ParseConfig("gateway.textproto",
                            "grpc { address: \"127.0.0.1:8443\" }\n"
                            "grcp { address: \"127.0.0.1:8443\" }\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()),
              StartsWith("gateway.textproto: line 2, column "));
  EXPECT_THAT(Message(config.status()), HasSubstr("grcp"));
}

TEST(ParseConfigTest, UnknownNestedTextFieldIsAnError) {
  auto config = ParseConfig("gw.txtpb",
                            "http {\n"
                            "  address: \"127.0.0.1:8080\"\n"
                            "  thread: 4\n"
                            "}\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()), StartsWith("gw.txtpb: line 3"));
  EXPECT_THAT(Message(config.status()), HasSubstr("thread"));
}

TEST(ParseConfigTest, TextSyntaxErrorIsInvalidArgument) {
  auto config = ParseConfig("gateway.textproto", "grpc { address: ");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()), StartsWith("gateway.textproto: line"));
}

TEST(ParseConfigTest, ParsesJson) {
  auto config = ParseConfig("gateway.json", R"json({
    "grpc": {"address": "127.0.0.1:8443"},
    "backends": [{"name": "policy", "addresses": ["127.0.0.1:50051"]}],
    "limits": {"defaultDeadline": "5s", "max_header_bytes": 2048},
    "rateLimits": {"municipalityOverrides": {"101": {"ratePerSecond": 2.5}}}
  })json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc().address(), "127.0.0.1:8443");
  EXPECT_EQ(config->backends(0).name(), "policy");
  EXPECT_EQ(config->limits().default_deadline().seconds(), 5);
  EXPECT_EQ(config->limits().max_header_bytes(), 2048);
  EXPECT_EQ(config->rate_limits()
                .municipality_overrides()
                .at("101")
                .rate_per_second(),
            2.5);
}

TEST(ParseConfigTest, JsonWithUnknownFieldIsRefused) {
  auto config = ParseConfig(
      "gateway.json",
      R"json({"grpc": {"address": "127.0.0.1:8443"}, "grcp": {}})json");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()), StartsWith("gateway.json: "));
  EXPECT_THAT(Message(config.status()), HasSubstr("grcp"));
}

TEST(ParseConfigTest, JsonIsChosenByFileName) {
  // Text proto content in a .json file is not accepted, and JSON content in a
  // text proto file is not either.
  EXPECT_FALSE(
      ParseConfig("gateway.json", "grpc { address: \"127.0.0.1:1\" }").ok());
  EXPECT_FALSE(ParseConfig("gateway.textproto",
                           R"json({"grpc": {"address": "127.0.0.1:1"}})json")
                   .ok());
}

// --- ApplyDefaults ---

TEST(ApplyDefaultsTest, FillsDocumentedDefaults) {
  GatewayConfig config;
  config.mutable_rate_limits()->mutable_per_municipality()->set_rate_per_second(
      100);
  config.mutable_rate_limits()->mutable_per_caller()->set_rate_per_second(0.5);
  (*config.mutable_rate_limits()->mutable_municipality_overrides())["101"]
      .set_rate_per_second(7);
  ApplyDefaults(config);

  EXPECT_EQ(config.http().read_timeout().seconds(), 10);
  EXPECT_EQ(config.http().max_connections(), 1000);
  EXPECT_EQ(config.http().threads(), 2);
  EXPECT_EQ(config.http().max_connections_per_address(), 64);
  EXPECT_EQ(config.authentication().jwt().clock_skew().seconds(), 60);
  EXPECT_EQ(config.authentication().jwt().municipalities_claim(),
            "municipalities");
  EXPECT_EQ(config.authentication().jwt().roles_claim(), "roles");
  EXPECT_EQ(config.limits().max_request_bytes(), 4 * 1024 * 1024);
  EXPECT_EQ(config.limits().max_response_bytes(), 16 * 1024 * 1024);
  EXPECT_EQ(config.limits().max_header_bytes(), 16 * 1024);
  EXPECT_EQ(config.limits().default_deadline().seconds(), 30);
  // A rate with no burst gets a burst of one second's calls, at least one.
  EXPECT_EQ(config.rate_limits().per_municipality().burst(), 100);
  EXPECT_EQ(config.rate_limits().per_caller().burst(), 1);
  EXPECT_EQ(config.rate_limits().municipality_overrides().at("101").burst(), 7);
}

TEST(ApplyDefaultsTest, KeepsSetValues) {
  GatewayConfig config;
  config.mutable_http()->mutable_read_timeout()->set_nanos(500000000);
  config.mutable_http()->set_max_connections(5);
  config.mutable_http()->set_threads(8);
  auto* jwt = config.mutable_authentication()->mutable_jwt();
  jwt->mutable_clock_skew()->set_seconds(5);
  jwt->set_municipalities_claim("kommuner");
  jwt->set_roles_claim("groups");
  config.mutable_limits()->set_max_request_bytes(1000);
  config.mutable_limits()->set_max_response_bytes(2000);
  config.mutable_limits()->set_max_header_bytes(4096);
  config.mutable_limits()->mutable_default_deadline()->set_seconds(3);
  auto* caller = config.mutable_rate_limits()->mutable_per_caller();
  caller->set_rate_per_second(10);
  caller->set_burst(3);
  ApplyDefaults(config);

  EXPECT_EQ(config.http().read_timeout().seconds(), 0);
  EXPECT_EQ(config.http().read_timeout().nanos(), 500000000);
  EXPECT_EQ(config.http().max_connections(), 5);
  EXPECT_EQ(config.http().threads(), 8);
  EXPECT_EQ(config.authentication().jwt().clock_skew().seconds(), 5);
  EXPECT_EQ(config.authentication().jwt().municipalities_claim(), "kommuner");
  EXPECT_EQ(config.authentication().jwt().roles_claim(), "groups");
  EXPECT_EQ(config.limits().max_request_bytes(), 1000);
  EXPECT_EQ(config.limits().max_response_bytes(), 2000);
  EXPECT_EQ(config.limits().max_header_bytes(), 4096);
  EXPECT_EQ(config.limits().default_deadline().seconds(), 3);
  EXPECT_EQ(config.rate_limits().per_caller().burst(), 3);
}

TEST(ApplyDefaultsTest, UnlimitedBucketGetsNoBurst) {
  GatewayConfig config;
  ApplyDefaults(config);
  EXPECT_EQ(config.rate_limits().per_municipality().rate_per_second(), 0);
  EXPECT_EQ(config.rate_limits().per_municipality().burst(), 0);
  EXPECT_EQ(config.rate_limits().per_caller().burst(), 0);
}

// --- ValidateConfig ---

TEST(ValidateConfigTest, AcceptsMinimalConfig) {
  EXPECT_TRUE(ValidateConfig(ValidConfig()).ok())
      << ValidateConfig(ValidConfig());
}

TEST(ValidateConfigTest, AcceptsFullConfig) {
  GatewayConfig config = ValidConfig();
  ASSERT_TRUE(google::protobuf::TextFormat::MergeFromString(
      R"pb(
        grpc {
          tls { certificate_file: "grpc.pem" private_key_file: "grpc.key" }
        }
        http { address: "[::]:8080" }
        admin { address: "localhost:9090" }
        backends {
          name: "hearing"
          services: "kommune.hearing.v1.HearingService"
          addresses: "dns:///hearing.kommune.svc.cluster.local:50051"
          addresses: "10.0.0.2:50051"
        }
        authentication {
          jwt { jwks_file: "jwks.json" issuer: "https://idp" audience: "gw" }
          api_keys {
            id: "ci"
            municipalities: "101"
            municipalities: "169"
            roles: "integration"
          }
        }
        access_rules { method: "*" roles: "admin" }
        access_rules {
          method: "kommune.policy.v1.PolicyService/*"
          roles: "editor"
        }
        access_rules {
          method: "kommune.policy.v1.PolicyService/GetPolicy"
          allow_anonymous: true
        }
        rate_limits {
          per_municipality { rate_per_second: 10 burst: 20 }
          municipality_overrides {
            key: "169"
            value { rate_per_second: 0 }
          }
        }
        limits { max_header_bytes: 1024 }
      )pb",
      &config));
  absl::Status status = ValidateConfig(config);
  EXPECT_TRUE(status.ok()) << status;
}

struct InvalidCase {
  std::string test_name;
  std::function<void(GatewayConfig&)> change;
  std::string field;  // The message must start with "<field>: ".
};

void Merge(GatewayConfig& config, const std::string& text) {
  ASSERT_TRUE(google::protobuf::TextFormat::MergeFromString(text, &config))
      << text;
}

std::function<void(GatewayConfig&)> Merging(std::string text) {
  return [text](GatewayConfig& config) { Merge(config, text); };
}

// A second backend, named `name`, serving `service` at `address`.
std::string SecondBackend(const std::string& name, const std::string& service,
                          const std::string& address) {
  std::string text = "backends { name: \"" + name + "\"";
  if (!service.empty()) text += " services: \"" + service + "\"";
  if (!address.empty()) text += " addresses: \"" + address + "\"";
  return text + " }";
}

class ValidateConfigRuleTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ValidateConfigRuleTest, NamesTheField) {
  GatewayConfig config = ValidConfig();
  GetParam().change(config);
  absl::Status status = ValidateConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(Message(status), StartsWith(GetParam().field + ": "));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateConfigRuleTest,
    ::testing::Values(
        InvalidCase{"GrpcAddressMissing",
                    [](GatewayConfig& c) { c.mutable_grpc()->clear_address(); },
                    "grpc.address"},
        InvalidCase{"GrpcAddressWithoutPort",
                    Merging(R"pb(grpc { address: "localhost" })pb"),
                    "grpc.address"},
        InvalidCase{"GrpcAddressWithoutHost",
                    Merging(R"pb(grpc { address: ":8443" })pb"),
                    "grpc.address"},
        InvalidCase{"GrpcAddressPortTooLarge",
                    Merging(R"pb(grpc { address: "localhost:65536" })pb"),
                    "grpc.address"},
        InvalidCase{"GrpcAddressPortNotANumber",
                    Merging(R"pb(grpc { address: "localhost:https" })pb"),
                    "grpc.address"},
        InvalidCase{
            "GrpcTlsCertificateWithoutKey",
            Merging(R"pb(grpc { tls { certificate_file: "c.pem" } })pb"),
            "grpc.tls"},
        InvalidCase{"HttpAddress", Merging(R"pb(http { address: "8080" })pb"),
                    "http.address"},
        InvalidCase{
            "HttpTlsKeyWithoutCertificate",
            Merging(R"pb(http { tls { private_key_file: "k.pem" } })pb"),
            "http.tls"},
        InvalidCase{"HttpThreadsTooMany",
                    Merging(R"pb(http { threads: 65 })pb"), "http.threads"},
        InvalidCase{"HttpThreadsNegative",
                    Merging(R"pb(http { threads: -1 })pb"), "http.threads"},
        InvalidCase{"HttpMaxConnections",
                    Merging(R"pb(http { max_connections: -1 })pb"),
                    "http.max_connections"},
        InvalidCase{"AdminAddress",
                    Merging(R"pb(admin { address: "admin" })pb"),
                    "admin.address"},
        InvalidCase{"NoBackends", [](GatewayConfig& c) { c.clear_backends(); },
                    "backends"},
        InvalidCase{"BackendWithoutName",
                    Merging(SecondBackend("", "a.B", "h:1")),
                    "backends[1].name"},
        InvalidCase{"BackendNameTwice",
                    Merging(SecondBackend("policy", "a.B", "h:1")),
                    "backends[1].name"},
        InvalidCase{"BackendWithoutServices",
                    Merging(SecondBackend("other", "", "h:1")),
                    "backends[1].services"},
        InvalidCase{
            "ServiceOnTwoBackends",
            Merging(SecondBackend("other", "kommune.policy.v1.PolicyService",
                                  "h:1")),
            "backends[1].services[0]"},
        InvalidCase{"BackendWithoutAddresses",
                    Merging(SecondBackend("other", "a.B", "")),
                    "backends[1].addresses"},
        InvalidCase{"BackendWithEmptyAddress", Merging(R"pb(backends {
                                                              name: "other"
                                                              services: "a.B"
                                                              addresses: "h:1"
                                                              addresses: ""
                                                            })pb"),
                    "backends[1].addresses[1]"},
        InvalidCase{"JwksWithoutIssuer",
                    Merging(R"pb(authentication {
                                   jwt { jwks_file: "jwks.json" audience: "gw" }
                                 })pb"),
                    "authentication.jwt.issuer"},
        InvalidCase{"JwksWithoutAudience",
                    Merging(R"pb(authentication {
                                   jwt { jwks_file: "jwks.json" issuer: "idp" }
                                 })pb"),
                    "authentication.jwt.audience"},
        InvalidCase{"ApiKeyMunicipality", Merging(R"pb(authentication {
                                                         api_keys {
                                                           id: "ci"
                                                           municipalities: "101"
                                                           municipalities: "999"
                                                         }
                                                       })pb"),
                    "authentication.api_keys[0].municipalities[1]"},
        InvalidCase{"ApiKeyRole",
                    Merging(R"pb(authentication {
                                   api_keys { id: "ci" roles: "superuser" }
                                 })pb"),
                    "authentication.api_keys[0].roles[0]"},
        InvalidCase{
            "SecondApiKeyRole",
            Merging(R"pb(authentication {
                           api_keys { id: "a" roles: "viewer" }
                           api_keys { id: "b" roles: "viewer" roles: "" }
                         })pb"),
            "authentication.api_keys[1].roles[1]"},
        InvalidCase{"RuleMethodWithoutSlash",
                    Merging(R"pb(access_rules {
                                   method: "kommune.policy.v1.PolicyService"
                                   roles: "admin"
                                 })pb"),
                    "access_rules[0].method"},
        InvalidCase{"RuleMethodPartialWildcard",
                    Merging(R"pb(access_rules {
                                   method: "a.B/Get*"
                                   roles: "admin"
                                 })pb"),
                    "access_rules[0].method"},
        InvalidCase{"RuleServiceWildcard", Merging(R"pb(access_rules {
                                                          method: "*/Get"
                                                          roles: "admin"
                                                        })pb"),
                    "access_rules[0].method"},
        InvalidCase{"RuleMethodEmpty",
                    Merging(R"pb(access_rules { roles: "admin" })pb"),
                    "access_rules[0].method"},
        InvalidCase{
            "RuleMethodTwice",
            Merging(R"pb(access_rules { method: "a.B/*" roles: "admin" }
                         access_rules { method: "a.B/*" roles: "viewer" })pb"),
            "access_rules[1].method"},
        InvalidCase{"RuleRole", Merging(R"pb(access_rules {
                                               method: "*"
                                               roles: "admin"
                                               roles: "Editor"
                                             })pb"),
                    "access_rules[0].roles[1]"},
        InvalidCase{"RuleOpenToNobody",
                    Merging(R"pb(access_rules { method: "*" })pb"),
                    "access_rules[0]"},
        InvalidCase{"MunicipalityRateNegative",
                    Merging(R"pb(rate_limits {
                                   per_municipality { rate_per_second: -1 }
                                 })pb"),
                    "rate_limits.per_municipality"},
        InvalidCase{
            "MunicipalityBurstNegative",
            Merging(R"pb(rate_limits { per_municipality { burst: -1 } })pb"),
            "rate_limits.per_municipality"},
        InvalidCase{"CallerRateNegative",
                    Merging(R"pb(rate_limits {
                                   per_caller { rate_per_second: -0.5 }
                                 })pb"),
                    "rate_limits.per_caller"},
        InvalidCase{"OverrideForUnknownMunicipality",
                    Merging(R"pb(rate_limits {
                                   municipality_overrides {
                                     key: "999"
                                     value { rate_per_second: 1 }
                                   }
                                 })pb"),
                    "rate_limits.municipality_overrides[\"999\"]"},
        InvalidCase{"OverrideBurstNegative",
                    Merging(R"pb(rate_limits {
                                   municipality_overrides {
                                     key: "101"
                                     value { burst: -2 }
                                   }
                                 })pb"),
                    "rate_limits.municipality_overrides[\"101\"]"},
        InvalidCase{"MaxRequestBytesNegative",
                    Merging(R"pb(limits { max_request_bytes: -1 })pb"),
                    "limits.max_request_bytes"},
        InvalidCase{"MaxResponseBytesNegative",
                    Merging(R"pb(limits { max_response_bytes: -1 })pb"),
                    "limits.max_response_bytes"},
        InvalidCase{"MaxHeaderBytesTooSmall",
                    Merging(R"pb(limits { max_header_bytes: 1023 })pb"),
                    "limits.max_header_bytes"},
        InvalidCase{
            "DefaultDeadlineNegative",
            Merging(R"pb(limits { default_deadline { seconds: -1 } })pb"),
            "limits.default_deadline"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) {
      return info.param.test_name;
    });

// --- ResolvePaths ---

TEST(ResolvePathsTest, MakesRelativeFilesRelativeToTheFolder) {
  GatewayConfig config;
  config.mutable_grpc()->mutable_tls()->set_certificate_file("grpc.pem");
  config.mutable_grpc()->mutable_tls()->set_private_key_file("/etc/grpc.key");
  config.mutable_http()->mutable_tls()->set_certificate_file("tls/http.pem");
  config.mutable_http()->mutable_tls()->set_private_key_file("tls/http.key");
  config.mutable_authentication()->mutable_jwt()->set_jwks_file("jwks.json");
  config.mutable_logs()->set_access_log_file("-");
  config.mutable_logs()->set_audit_log_file("../logs/audit.log");
  config.set_identity_secret_file("identity-secret");
  config.set_descriptor_set_file("/usr/share/kommune/api.pb");
  ResolvePaths(config, "/etc/kommune");

  EXPECT_EQ(config.grpc().tls().certificate_file(), "/etc/kommune/grpc.pem");
  EXPECT_EQ(config.grpc().tls().private_key_file(), "/etc/grpc.key");
  EXPECT_EQ(config.http().tls().certificate_file(),
            "/etc/kommune/tls/http.pem");
  EXPECT_EQ(config.http().tls().private_key_file(),
            "/etc/kommune/tls/http.key");
  EXPECT_EQ(config.authentication().jwt().jwks_file(),
            "/etc/kommune/jwks.json");
  EXPECT_EQ(config.logs().access_log_file(), "-");
  EXPECT_EQ(config.logs().audit_log_file(), "/etc/kommune/../logs/audit.log");
  EXPECT_EQ(config.identity_secret_file(), "/etc/kommune/identity-secret");
  EXPECT_EQ(config.descriptor_set_file(), "/usr/share/kommune/api.pb");
}

TEST(ResolvePathsTest, LeavesEmptyNamesEmpty) {
  // Empty means "standard output", "disabled" or "built in": never a file.
  GatewayConfig config;
  config.mutable_authentication()->mutable_jwt()->set_jwks_file("jwks.json");
  ResolvePaths(config, "conf");
  EXPECT_EQ(config.authentication().jwt().jwks_file(), "conf/jwks.json");
  EXPECT_EQ(config.logs().access_log_file(), "");
  EXPECT_EQ(config.logs().audit_log_file(), "");
  EXPECT_EQ(config.identity_secret_file(), "");
  EXPECT_EQ(config.descriptor_set_file(), "");
  EXPECT_EQ(config.grpc().tls().certificate_file(), "");
  EXPECT_EQ(config.http().tls().private_key_file(), "");
}

// --- LoadConfig ---

const char kDevConfig[] = KOMMUNE_SOURCE_DIR "/gateway/dev/gateway.textproto";

TEST(LoadConfigTest, DevelopmentConfigurationIsValid) {
  auto config = LoadConfig(kDevConfig);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->authentication().jwt().jwks_file(),
            KOMMUNE_SOURCE_DIR "/gateway/dev/jwks.json");
  EXPECT_EQ(config->identity_secret_file(),
            KOMMUNE_SOURCE_DIR "/gateway/dev/identity-secret");
  EXPECT_EQ(config->logs().access_log_file(),
            KOMMUNE_SOURCE_DIR "/gateway/dev/access.log");
  // Defaults are filled in.
  EXPECT_EQ(config->http().threads(), 2);
  EXPECT_EQ(config->authentication().jwt().roles_claim(), "roles");
  EXPECT_EQ(config->limits().max_header_bytes(), 16384);
}

TEST(LoadConfigTest, MissingFileIsNotFound) {
  const std::string path = KOMMUNE_SOURCE_DIR "/gateway/dev/no-such.textproto";
  auto config = LoadConfig(path);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(config.status()), HasSubstr(path));
}

class LoadConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "config_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& path : written_) std::remove(path.c_str());
    rmdir(dir_.c_str());
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    written_.push_back(path);
    return path;
  }

  std::string dir_;
  std::vector<std::string> written_;
};

TEST_F(LoadConfigFileTest, ValidationErrorNamesFileAndField) {
  std::string path =
      Write("gateway.textproto", "grpc { address: \"127.0.0.1:8443\" }\n");
  auto config = LoadConfig(path);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()), StartsWith(path + ": backends: "));
}

TEST_F(LoadConfigFileTest, ParseErrorNamesFile) {
  std::string path = Write("gateway.textproto", "grpc { adress: \"x:1\" }\n");
  auto config = LoadConfig(path);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()), StartsWith(path + ": line 1"));
}

TEST_F(LoadConfigFileTest, LoadsJsonAndResolvesBesideIt) {
  std::string path = Write("gateway.json", R"json({
    "grpc": {"address": "127.0.0.1:8443"},
    "backends": [{"name": "policy", "services": ["a.B"],
                  "addresses": ["127.0.0.1:50051"]}],
    "logs": {"auditLogFile": "audit.log"}
  })json");
  auto config = LoadConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->logs().audit_log_file(), dir_ + "/audit.log");
  EXPECT_EQ(config->logs().access_log_file(), "");
  EXPECT_EQ(config->limits().default_deadline().seconds(), 30);
}

}  // namespace
}  // namespace kommune::gateway
