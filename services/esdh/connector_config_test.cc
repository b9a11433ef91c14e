// The connector's configuration is checked before anything runs: each
// mistake is named by its field.
#include "services/esdh/connector_config.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace kommune::esdh {
namespace {

using ::testing::HasSubstr;

class ConnectorConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir();
    std::ofstream(dir_ + "/hook-secret") << "s3cret\n";
    // A file drop's folder exists already (a share the ESDH system reads).
    for (const char* folder : {"/journal", "/a", "/b", "/d"}) {
      mkdir((dir_ + folder).c_str(), 0755);
    }
  }

  absl::StatusOr<ConnectorSetup> Setup(const std::string& text) {
    v1::ConnectorConfig config;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config))
        << text;
    return MakeConnectorSetup(config, dir_);
  }

  void ExpectInvalid(const std::string& text, const std::string& field) {
    absl::StatusOr<ConnectorSetup> setup = Setup(text);
    ASSERT_FALSE(setup.ok()) << text;
    EXPECT_EQ(setup.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(setup.status().message(), HasSubstr(field));
  }

  std::string dir_;
};

TEST_F(ConnectorConfigTest, AGoodConfigurationMakesASinkPerMunicipality) {
  absl::StatusOr<ConnectorSetup> setup = Setup(R"pb(
    feeds { service: "policy" address: "127.0.0.1:50051" }
    feeds { service: "hearing" address: "127.0.0.1:50052" }
    sinks {
      municipality_code: "190"
      webhook {
        url: "https://esdh.fureso.dk/journal/ind"
        secret_file: "hook-secret"
        allowed_urls: "https://esdh.fureso.dk/journal/"
      }
    }
    sinks {
      municipality_code: "169"
      file_drop { directory: "journal" }
    }
    max_attempts: 5
  )pb");
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->sinks.size(), 2u);
  EXPECT_EQ(setup->options.max_attempts, 5);
  EXPECT_EQ(setup->addresses.hearing, "127.0.0.1:50052");
  EXPECT_TRUE(setup->addresses.followup.empty());
}

TEST_F(ConnectorConfigTest, AWebhookOffItsAllowListIsRefused) {
  ExpectInvalid(R"pb(
                  sinks {
                    municipality_code: "190"
                    webhook {
                      url: "https://attacker.example.com/journal"
                      secret_file: "hook-secret"
                      allowed_urls: "https://esdh.fureso.dk/journal/"
                    }
                  }
                )pb",
                "sinks[0].webhook.url");
}

TEST_F(ConnectorConfigTest, PlainHttpIsOnlyForLoopback) {
  ExpectInvalid(R"pb(
                  sinks {
                    municipality_code: "190"
                    webhook {
                      url: "http://esdh.fureso.dk/journal/ind"
                      secret_file: "hook-secret"
                      allowed_urls: "http://esdh.fureso.dk/journal/"
                    }
                  }
                )pb",
                "sinks[0].webhook.url");
}

TEST_F(ConnectorConfigTest, EachMistakeIsNamed) {
  ExpectInvalid(R"pb(feeds { service: "budget" address: "x:1" })pb",
                "feeds[0].service");
  ExpectInvalid(R"pb(feeds { service: "policy" })pb", "feeds[0].address");
  ExpectInvalid(R"pb(sinks {
                       municipality_code: "999"
                       file_drop { directory: "d" }
                     })pb",
                "sinks[0].municipality_code");
  ExpectInvalid(R"pb(sinks { municipality_code: "190" })pb", "sinks[0]");
  ExpectInvalid(R"pb(sinks {
                       municipality_code: "190"
                       file_drop { directory: "a" }
                     }
                     sinks {
                       municipality_code: "190"
                       file_drop { directory: "b" }
                     })pb",
                "sinks[1].municipality_code");
  ExpectInvalid(R"pb(sinks {
                       municipality_code: "190"
                       webhook {
                         url: "https://esdh.fureso.dk/journal/ind"
                         secret_file: "missing-secret"
                         allowed_urls: "https://esdh.fureso.dk/journal/"
                       }
                     })pb",
                "sinks[0].webhook.secret_file");
  ExpectInvalid(R"pb(max_attempts: -1)pb", "max_attempts");
}

TEST_F(ConnectorConfigTest, AMissingFileIsNamed) {
  absl::StatusOr<ConnectorSetup> setup =
      LoadConnectorConfig(dir_ + "/no-such-config.textproto");
  ASSERT_FALSE(setup.ok());
  EXPECT_THAT(setup.status().message(), HasSubstr("--config"));
}

}  // namespace
}  // namespace kommune::esdh
