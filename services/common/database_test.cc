#include "services/common/database.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/postgres_database.h"
#include "services/common/test_support.h"

namespace kommune {
namespace {

using ::kommune::testing::EngineTest;

class DatabaseTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (db_ == nullptr) return;
    ASSERT_TRUE(db_->Write([this](Transaction& tx) {
                     return tx.ExecuteScript(
                         "CREATE TABLE parent (id BIGINT PRIMARY KEY);"
                         "CREATE TABLE child (id BIGINT PRIMARY KEY,"
                         " parent_id BIGINT NOT NULL REFERENCES parent (id));"
                         "CREATE TABLE counter (n BIGINT NOT NULL);"
                         "INSERT INTO counter (n) VALUES (0);"
                         "CREATE TABLE cells (t TEXT, i BIGINT, d DOUBLE "
                         "PRECISION, b " +
                         std::string(db_->engine() == Database::Engine::kSqlite
                                         ? "BLOB"
                                         : "BYTEA") +
                         ")");
                   })
                    .ok());
  }

  int64_t Count(const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                     auto rows = tx.Query("SELECT COUNT(*) FROM " + table);
                     if (!rows.ok()) return rows.status();
                     n = (*rows)[0].Int(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }
};

TEST_P(DatabaseTest, RoundTripsEveryValueKind) {
  const std::string danish =
      "Høje-Taastrup Kommunes integrationspolitik æøå ÆØÅ";
  const std::string bytes("\x00\x01\xff\x00z", 5);
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                   return tx.Execute(
                       "INSERT INTO cells (t, i, d, b) VALUES (?, ?, ?, ?)",
                       {danish, int64_t{-9007199254740993}, 2.5, Blob{bytes}});
                 })
                  .ok());
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                   return tx.Execute(
                       "INSERT INTO cells (t, i, d, b) VALUES (?, ?, ?, ?)",
                       {std::monostate(), std::monostate(), std::monostate(),
                        std::monostate()});
                 })
                  .ok());
  std::vector<Row> rows;
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto result =
                       tx.Query("SELECT t, i, d, b FROM cells ORDER BY i");
                   if (!result.ok()) return result.status();
                   rows = *result;
                   return absl::OkStatus();
                 })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  // NULLs sort last on PostgreSQL and first on SQLite; find the full row.
  const Row& full = rows[0].IsNull(0) ? rows[1] : rows[0];
  const Row& empty = rows[0].IsNull(0) ? rows[0] : rows[1];
  EXPECT_EQ(full.Text(0), danish);
  EXPECT_EQ(full.Int(1), int64_t{-9007199254740993});
  EXPECT_DOUBLE_EQ(full.Double(2), 2.5);
  EXPECT_EQ(full.Text(3), bytes);
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(empty.IsNull(i)) << i;
}

TEST_P(DatabaseTest, RollsBackEverythingWhenTheBodyFails) {
  absl::Status status = db_->Write([](Transaction& tx) -> absl::Status {
    if (auto s = tx.Execute("INSERT INTO parent (id) VALUES (1)"); !s.ok()) {
      return s;
    }
    return absl::InvalidArgumentError("policy.title: must not be empty");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("parent"), 0);
}

TEST_P(DatabaseTest, RollsBackWhenAStatementFails) {
  absl::Status status = db_->Write([](Transaction& tx) -> absl::Status {
    if (auto s = tx.Execute("INSERT INTO parent (id) VALUES (1)"); !s.ok()) {
      return s;
    }
    return tx.Execute("INSERT INTO parent (id) VALUES (1)");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(Count("parent"), 0);
}

TEST_P(DatabaseTest, MapsForeignKeyViolationToFailedPrecondition) {
  absl::Status status = db_->Write([](Transaction& tx) {
    return tx.Execute("INSERT INTO child (id, parent_id) VALUES (1, 42)");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(Count("child"), 0);
}

TEST_P(DatabaseTest, RunsOnCommitCallbacksOnlyAfterCommit) {
  int committed = 0;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                   tx.OnCommit([&] { ++committed; });
                   return tx.Execute("INSERT INTO parent (id) VALUES (7)");
                 })
                  .ok());
  EXPECT_EQ(committed, 1);
  (void)db_->Write([&](Transaction& tx) {
    tx.OnCommit([&] { ++committed; });
    return absl::AbortedError("policy.etag: stale");
  });
  EXPECT_EQ(committed, 1);
}

TEST_P(DatabaseTest, DoesNotRetryAHandlersOwnAbortedStatus) {
  int runs = 0;
  absl::Status status = db_->Write([&](Transaction&) {
    ++runs;
    return absl::AbortedError("policy.etag: stale");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(runs, 1);
}

TEST_P(DatabaseTest, ConcurrentWritersLoseNoUpdate) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  std::unique_ptr<Database> replica = OpenReplica();
  ASSERT_NE(replica, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Database* db = t % 2 == 0 ? db_ : replica.get();
    threads.emplace_back([db, &failures] {
      for (int i = 0; i < kIncrements; ++i) {
        absl::Status s = db->Write([](Transaction& tx) -> absl::Status {
          if (auto s = tx.Lock("counter"); !s.ok()) return s;
          auto rows = tx.Query("SELECT n FROM counter");
          if (!rows.ok()) return rows.status();
          return tx.Execute("UPDATE counter SET n = ?",
                            {(*rows)[0].Int(0) + 1});
        });
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  int64_t n = 0;
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto rows = tx.Query("SELECT n FROM counter");
                   if (!rows.ok()) return rows.status();
                   n = (*rows)[0].Int(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(n, kThreads * kIncrements);
}

TEST_P(DatabaseTest, ReportsSqlErrorsAsInternal) {
  absl::Status status = db_->Read([](Transaction& tx) {
    return tx.Query("SELECT * FROM no_such_table").status();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
}

// A connection the server dropped (a restart, a failover) is replaced and
// the transaction tried again, instead of failing the caller's request.
TEST_P(DatabaseTest, ALostPostgresConnectionIsReplacedAndRetried) {
  if (db_->engine() != Database::Engine::kPostgres) GTEST_SKIP();
  int64_t pid = 0;
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto rows = tx.Query("SELECT pg_backend_pid()");
                   if (!rows.ok()) return rows.status();
                   pid = (*rows)[0].Int(0);
                   return absl::OkStatus();
                 })
                  .ok());
  std::unique_ptr<Database> other = OpenReplica();
  ASSERT_NE(other, nullptr);
  // Kill every connection of this pool, so the next one taken is dead.
  ASSERT_TRUE(other
                  ->Write([&](Transaction& tx) -> absl::Status {
                    return tx
                        .Query(
                            "SELECT pg_terminate_backend(pid) FROM "
                            "pg_stat_activity WHERE datname = "
                            "current_database() AND pid <> "
                            "pg_backend_pid()")
                        .status();
                  })
                  .ok());
  absl::SleepFor(absl::Milliseconds(200));
  int64_t after = 0;
  absl::Status s = db_->Write([&](Transaction& tx) -> absl::Status {
    auto rows = tx.Query("SELECT pg_backend_pid()");
    if (!rows.ok()) return rows.status();
    after = (*rows)[0].Int(0);
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_NE(after, pid);
}

TEST(OpenDatabaseTest, RefusesAPoolOfNoConnections) {
  auto db = OpenDatabase("postgresql://nobody@127.0.0.1:1/none", 0);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(db.status().message()),
              ::testing::HasSubstr("database_pool_size"));
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(DatabaseTest);

TEST(OpenDatabaseTest, RefusesUnknownSchemes) {
  auto db = OpenDatabase("mysql://localhost/x");
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(db.status().message()),
              ::testing::HasSubstr("database"));
}

TEST(OpenDatabaseTest, RefusesSqliteUrlWithoutPath) {
  EXPECT_EQ(OpenDatabase("sqlite://").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OpenDatabaseTest, SaysUnavailableWhenPostgresCannotBeReached) {
  auto db =
      OpenDatabase("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
}

TEST(OpenDatabaseTest, SaysUnavailableWhenSqliteFileCannotBeCreated) {
  auto db = OpenDatabase("sqlite:///no/such/folder/x.db");
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
}

TEST(PostgresPlaceholdersTest, NumbersMarksOutsideQuotes) {
  EXPECT_EQ(
      ToPostgresPlaceholders("SELECT '?', \"a?\" FROM t WHERE a = ? AND b = ?"),
      "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b = $2");
}

}  // namespace
}  // namespace kommune
