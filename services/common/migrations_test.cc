#include "services/common/migrations.h"

#include <thread>

#include "gtest/gtest.h"
#include "services/common/test_support.h"

namespace kommune {
namespace {

using ::kommune::testing::EngineTest;

const std::vector<EmbeddedFile> kFiles = {
    {"0001_first.sql", "CREATE TABLE a (id BIGINT PRIMARY KEY);"},
    {"0002_second.sql", "CREATE TABLE b (id BIGINT PRIMARY KEY);"},
    {"0002_second.postgresql.sql",
     "CREATE TABLE b (id BIGINT PRIMARY KEY, pg BOOLEAN);"},
    {"0002_second.sqlite.sql",
     "CREATE TABLE b (id BIGINT PRIMARY KEY, lite INTEGER);"},
};

class MigrationsTest : public EngineTest {
 protected:
  std::vector<int64_t> Applied(const std::string& component) {
    std::vector<int64_t> versions;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                     auto rows = tx.Query(
                         "SELECT version FROM schema_migrations WHERE "
                         "component = ? ORDER BY version",
                         {component});
                     if (!rows.ok()) return rows.status();
                     for (const Row& r : *rows) versions.push_back(r.Int(0));
                     return absl::OkStatus();
                   })
                    .ok());
    return versions;
  }

  bool TableExists(const std::string& table) {
    return db_
        ->Read([&](Transaction& tx) {
          return tx.Query("SELECT COUNT(*) FROM " + table).status();
        })
        .ok();
  }
};

TEST_P(MigrationsTest, AppliesInOrderAndOnlyOnce) {
  ASSERT_TRUE(ApplyMigrations(*db_, "demo", kFiles).ok());
  ASSERT_TRUE(ApplyMigrations(*db_, "demo", kFiles).ok());
  EXPECT_EQ(Applied("demo"), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(TableExists("a"));
}

TEST_P(MigrationsTest, PicksTheEnginesOwnFile) {
  ASSERT_TRUE(ApplyMigrations(*db_, "demo", kFiles).ok());
  std::string column =
      db_->engine() == Database::Engine::kSqlite ? "lite" : "pg";
  EXPECT_TRUE(db_->Read([&](Transaction& tx) {
                   return tx.Query("SELECT " + column + " FROM b").status();
                 })
                  .ok());
}

TEST_P(MigrationsTest, AddsOnlyNewVersionsLater) {
  ASSERT_TRUE(ApplyMigrations(*db_, "demo", {kFiles[0]}).ok());
  ASSERT_TRUE(ApplyMigrations(*db_, "demo", kFiles).ok());
  EXPECT_EQ(Applied("demo"), (std::vector<int64_t>{1, 2}));
}

TEST_P(MigrationsTest, AFailingMigrationLeavesNothingBehind) {
  std::vector<EmbeddedFile> files = {
      kFiles[0], {"0002_broken.sql", "CREATE TABLE a (id BIGINT);"}};
  absl::Status status = ApplyMigrations(*db_, "demo", files);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("0002_broken"),
            std::string::npos)
      << status;
  EXPECT_FALSE(TableExists("a"));
}

TEST_P(MigrationsTest, TwoReplicasStartingAtOnceBothSucceed) {
  std::unique_ptr<Database> replica = OpenReplica();
  ASSERT_NE(replica, nullptr);
  absl::Status first, second;
  std::thread a([&] { first = ApplyMigrations(*db_, "demo", kFiles); });
  std::thread b([&] { second = ApplyMigrations(*replica, "demo", kFiles); });
  a.join();
  b.join();
  EXPECT_TRUE(first.ok()) << first;
  EXPECT_TRUE(second.ok()) << second;
  EXPECT_EQ(Applied("demo"), (std::vector<int64_t>{1, 2}));
}

TEST_P(MigrationsTest, KeepsComponentsApart) {
  ASSERT_TRUE(ApplyMigrations(*db_, "one", {kFiles[0]}).ok());
  ASSERT_TRUE(
      ApplyMigrations(*db_, "two",
                      {{"0001_other.sql", "CREATE TABLE c (id BIGINT);"}})
          .ok());
  EXPECT_EQ(Applied("one"), (std::vector<int64_t>{1}));
  EXPECT_EQ(Applied("two"), (std::vector<int64_t>{1}));
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(MigrationsTest);

TEST(MigrationsForTest, SpellsBlobAsByteaForPostgres) {
  std::vector<EmbeddedFile> files = {
      {"0001_a.sql", "CREATE TABLE a (id BIGINT, payload BLOB NOT NULL);"}};
  auto pg = MigrationsFor(Database::Engine::kPostgres, files);
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ((*pg)[0].sql,
            "CREATE TABLE a (id BIGINT, payload BYTEA NOT NULL);");
  auto lite = MigrationsFor(Database::Engine::kSqlite, files);
  ASSERT_TRUE(lite.ok());
  EXPECT_EQ((*lite)[0].sql, files[0].content);
}

TEST(MigrationsForTest, RefusesBadFileNames) {
  EXPECT_FALSE(
      MigrationsFor(Database::Engine::kSqlite, {{"first.sql", ""}}).ok());
  EXPECT_FALSE(
      MigrationsFor(Database::Engine::kSqlite, {{"0001_a.txt", ""}}).ok());
  EXPECT_FALSE(MigrationsFor(Database::Engine::kSqlite,
                             {{"0001_a.sql", ""}, {"0001_b.sql", ""}})
                   .ok());
}

}  // namespace
}  // namespace kommune
