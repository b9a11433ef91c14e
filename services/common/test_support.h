#ifndef KOMMUNE_SERVICES_COMMON_TEST_SUPPORT_H_
#define KOMMUNE_SERVICES_COMMON_TEST_SUPPORT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "services/common/database.h"
#include "services/common/identity.h"

namespace kommune::testing {

// Environment of the README's test command: a throwaway PostgreSQL server's
// admin URL (postgresql:///postgres?host=...&port=...&user=...), and whether
// its absence is a failure rather than a skip.
inline constexpr char kPostgresUrlEnv[] = "KOMMUNE_TEST_POSTGRES_URL";
inline constexpr char kRequirePostgresEnv[] = "KOMMUNE_TEST_REQUIRE_POSTGRES";

// A fresh, empty database for one test: a new SQLite file, or a new database
// on the test PostgreSQL server.
struct TestDatabase {
  std::string url;
  std::unique_ptr<Database> db;
  std::string sqlite_path;  // removed with its WAL files at destruction
  ~TestDatabase();
};

// Creates database `name` (lowercase letters, digits, _) on the PostgreSQL
// server of `admin_url` and returns its URL.
absl::StatusOr<std::string> CreatePostgresDatabase(const std::string& admin_url,
                                                   const std::string& name);

// Returns nullptr if the engine is not available (recording a failure when
// PostgreSQL is required or could not be used).
std::unique_ptr<TestDatabase> MakeTestDatabase(const std::string& engine);

// Base for tests that run once per engine ("sqlite", "postgresql").
class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  // A second, independent connection pool to the same database, standing in
  // for another replica.
  std::unique_ptr<Database> OpenReplica() const;

  std::unique_ptr<TestDatabase> test_db_;
  Database* db_ = nullptr;
};

// A caller acting for one municipality with the given roles.
Identity Caller(std::string code, std::vector<Role> roles,
                std::string subject = "tester");

}  // namespace kommune::testing

#define KOMMUNE_INSTANTIATE_ENGINE_TEST(Suite)                        \
  INSTANTIATE_TEST_SUITE_P(Engines, Suite,                            \
                           ::testing::Values("sqlite", "postgresql"), \
                           [](const auto& info) { return info.param; })

#endif  // KOMMUNE_SERVICES_COMMON_TEST_SUPPORT_H_
