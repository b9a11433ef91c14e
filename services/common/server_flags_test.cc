#include "services/common/server_flags.h"

#include <cstdlib>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gtest/gtest.h"

namespace kommune {
namespace {

class ServerFlagsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("KOMMUNE_DATABASE");
    unsetenv("KOMMUNE_SHUTDOWN_GRACE_SECONDS");
  }
  absl::FlagSaver saver_;
};

TEST_F(ServerFlagsTest, TakesFlagsFromTheEnvironment) {
  setenv("KOMMUNE_DATABASE", "sqlite:///tmp/env.db", 1);
  setenv("KOMMUNE_SHUTDOWN_GRACE_SECONDS", "3", 1);
  ASSERT_TRUE(ApplyFlagEnvironment().ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_database), "sqlite:///tmp/env.db");
  EXPECT_EQ(absl::GetFlag(FLAGS_shutdown_grace_seconds), 3);
}

TEST_F(ServerFlagsTest, CommandLineWinsOverEnvironment) {
  setenv("KOMMUNE_DATABASE", "sqlite:///tmp/env.db", 1);
  ASSERT_TRUE(ApplyFlagEnvironment().ok());
  // InitServerProcess parses the command line after the environment.
  absl::SetFlag(&FLAGS_database, "sqlite:///tmp/cli.db");
  EXPECT_EQ(absl::GetFlag(FLAGS_database), "sqlite:///tmp/cli.db");
}

TEST_F(ServerFlagsTest, NamesTheVariableOfABadValue) {
  setenv("KOMMUNE_SHUTDOWN_GRACE_SECONDS", "soon", 1);
  absl::Status s = ApplyFlagEnvironment();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("KOMMUNE_SHUTDOWN_GRACE_SECONDS"),
            absl::string_view::npos);
}

TEST_F(ServerFlagsTest, ListensOnTheDefaultPortWhenUnset) {
  absl::SetFlag(&FLAGS_listen, "");
  EXPECT_EQ(ListenAddress(50051), "[::]:50051");
  absl::SetFlag(&FLAGS_listen, "127.0.0.1:9000");
  EXPECT_EQ(ListenAddress(50051), "127.0.0.1:9000");
}

TEST_F(ServerFlagsTest, ReadsTheIdentitySecretFromAFile) {
  std::string path = ::testing::TempDir() + "secret";
  std::ofstream(path) << "s3cret\n";
  absl::SetFlag(&FLAGS_identity_secret_file, path);
  auto secret = IdentitySecret();
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret, "s3cret");
}

TEST_F(ServerFlagsTest, RefusesBothSecretFlagsOrAMissingFile) {
  absl::SetFlag(&FLAGS_identity_secret, "a");
  absl::SetFlag(&FLAGS_identity_secret_file, "/no/such/file");
  EXPECT_EQ(IdentitySecret().status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::SetFlag(&FLAGS_identity_secret, "");
  auto missing = IdentitySecret();
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("identity_secret_file"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace kommune
