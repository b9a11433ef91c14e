#include "gateway/auth/jwks_file.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "gateway/auth/token_minter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kommune::gateway {
namespace {

class JwksFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "jwks_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/jwks.json";
  }

  void TearDown() override {
    std::remove(path_.c_str());
    std::remove((path_ + ".tmp").c_str());
    rmdir(dir_.c_str());
  }

  static std::string Jwks(const std::string& kid) {
    return TokenMinter::Create(JwsAlgorithm::kEs256, kid)->JwksJson();
  }

  // Rewrites the file in place, as an editor would.
  void Write(const std::string& content) {
    std::ofstream(path_, std::ios::trunc) << content;
  }

  // Replaces the file atomically, as key rotation tools do.
  void Replace(const std::string& content) {
    std::ofstream(path_ + ".tmp", std::ios::trunc) << content;
    ASSERT_EQ(std::rename((path_ + ".tmp").c_str(), path_.c_str()), 0);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(JwksFileTest, LoadReadsKeys) {
  Write(Jwks("a"));
  JwksFile file(path_);
  EXPECT_EQ(file.Current(), nullptr);
  ASSERT_TRUE(file.Load().ok());
  ASSERT_NE(file.Current(), nullptr);
  EXPECT_NE(file.Current()->Find("a"), nullptr);
}

TEST_F(JwksFileTest, LoadFailsForMissingOrInvalidFile) {
  JwksFile file(path_);
  EXPECT_EQ(file.Load().code(), absl::StatusCode::kNotFound);
  Write("{\"keys\": []}");
  absl::Status status = file.Load();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr(path_));
  EXPECT_EQ(file.Current(), nullptr);
}

TEST_F(JwksFileTest, UnchangedFileIsNotReread) {
  Write(Jwks("a"));
  JwksFile file(path_);
  ASSERT_TRUE(file.Load().ok());
  auto before = file.Current();
  ASSERT_TRUE(file.ReloadIfChanged().ok());
  EXPECT_EQ(file.Current(), before);
  // A forced reload builds a new set.
  ASSERT_TRUE(file.Reload().ok());
  EXPECT_NE(file.Current(), before);
  EXPECT_NE(file.Current()->Find("a"), nullptr);
}

TEST_F(JwksFileTest, ReloadOnChangePicksUpNewKey) {
  Write(Jwks("a"));
  JwksFile file(path_);
  ASSERT_TRUE(file.Load().ok());
  auto old_keys = file.Current();

  Write(Jwks("rotated"));
  ASSERT_TRUE(file.ReloadIfChanged().ok());
  EXPECT_NE(file.Current()->Find("rotated"), nullptr);
  EXPECT_EQ(file.Current()->Find("a"), nullptr);
  // Holders of the old set keep a working set.
  EXPECT_NE(old_keys->Find("a"), nullptr);

  Replace(Jwks("b"));  // Same size as "a"'s document, new inode.
  ASSERT_TRUE(file.ReloadIfChanged().ok());
  EXPECT_NE(file.Current()->Find("b"), nullptr);
}

TEST_F(JwksFileTest, InvalidRewriteKeepsOldKeys) {
  Write(Jwks("a"));
  JwksFile file(path_);
  ASSERT_TRUE(file.Load().ok());

  Write("{\"keys\": [");  // Half written.
  EXPECT_EQ(file.ReloadIfChanged().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_NE(file.Current(), nullptr);
  EXPECT_NE(file.Current()->Find("a"), nullptr);
  // Still broken: still reported, still the old keys.
  EXPECT_FALSE(file.ReloadIfChanged().ok());
  EXPECT_FALSE(file.Reload().ok());
  EXPECT_NE(file.Current()->Find("a"), nullptr);

  std::remove(path_.c_str());
  EXPECT_EQ(file.ReloadIfChanged().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(file.Current()->Find("a"), nullptr);

  Write(Jwks("b"));  // Fixed.
  ASSERT_TRUE(file.ReloadIfChanged().ok());
  EXPECT_NE(file.Current()->Find("b"), nullptr);
}

TEST_F(JwksFileTest, ReadersSeeACompleteSetDuringReloads) {
  Write(Jwks("a"));
  JwksFile file(path_);
  ASSERT_TRUE(file.Load().ok());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!stop) {
      auto keys = file.Current();
      if (keys == nullptr || keys->keys().size() != 1) ++bad;
    }
  });
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(file.Reload().ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace kommune::gateway
