#include "services/common/test_support.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kommune::testing {
namespace {

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  return absl::StrCat(getpid(), "_", counter++, "_",
                      absl::ToUnixMicros(absl::Now()) % 1000000);
}

// Replaces the database name in postgresql:///NAME?query.
std::string WithDatabaseName(const std::string& url, const std::string& name) {
  size_t start = url.find("///");
  size_t end = url.find('?');
  if (start == std::string::npos) return "";
  start += 3;
  return absl::StrCat(url.substr(0, start), name,
                      end == std::string::npos ? "" : url.substr(end));
}

}  // namespace

absl::StatusOr<std::string> CreatePostgresDatabase(const std::string& admin_url,
                                                   const std::string& name) {
  // CREATE DATABASE cannot run inside a transaction, which is all the
  // Database interface offers, so talk to the server directly.
  PGconn* conn = PQconnectdb(admin_url.c_str());
  PGresult* res = PQexec(conn, absl::StrCat("CREATE DATABASE ", name).c_str());
  bool created = PQresultStatus(res) == PGRES_COMMAND_OK;
  std::string error = PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
  if (!created) {
    return absl::UnavailableError(
        absl::StrCat("cannot create database ", name, ": ", error));
  }
  return WithDatabaseName(admin_url, name);
}

TestDatabase::~TestDatabase() {
  db.reset();
  if (!sqlite_path.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove(absl::StrCat(sqlite_path, suffix).c_str());
    }
  }
}

std::unique_ptr<TestDatabase> MakeTestDatabase(const std::string& engine) {
  auto out = std::make_unique<TestDatabase>();
  if (engine == "sqlite") {
    out->sqlite_path =
        absl::StrCat(::testing::TempDir(), "kommune_", UniqueSuffix(), ".db");
    out->url = absl::StrCat("sqlite://", out->sqlite_path);
  } else {
    const char* admin = std::getenv(kPostgresUrlEnv);
    if (admin == nullptr || *admin == '\0') {
      if (std::getenv(kRequirePostgresEnv) != nullptr) {
        ADD_FAILURE() << kPostgresUrlEnv << " is not set";
      }
      return nullptr;
    }
    absl::StatusOr<std::string> url =
        CreatePostgresDatabase(admin, absl::StrCat("t_", UniqueSuffix()));
    if (!url.ok()) {
      ADD_FAILURE() << url.status();
      return nullptr;
    }
    out->url = *url;
  }
  absl::StatusOr<std::unique_ptr<Database>> db = OpenDatabase(out->url);
  if (!db.ok()) {
    ADD_FAILURE() << db.status();
    return nullptr;
  }
  out->db = std::move(*db);
  return out;
}

void EngineTest::SetUp() {
  test_db_ = MakeTestDatabase(GetParam());
  if (test_db_ == nullptr && !HasFailure()) {
    GTEST_SKIP() << "no test PostgreSQL (the README's test command starts "
                    "one and sets "
                 << kPostgresUrlEnv << ")";
  }
  ASSERT_NE(test_db_, nullptr);
  db_ = test_db_->db.get();
}

std::unique_ptr<Database> EngineTest::OpenReplica() const {
  absl::StatusOr<std::unique_ptr<Database>> db = OpenDatabase(test_db_->url);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

Identity Caller(std::string code, std::vector<Role> roles,
                std::string subject) {
  return Identity{{std::move(code)}, std::move(roles), std::move(subject)};
}

}  // namespace kommune::testing
