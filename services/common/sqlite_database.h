#ifndef KOMMUNE_SERVICES_COMMON_SQLITE_DATABASE_H_
#define KOMMUNE_SERVICES_COMMON_SQLITE_DATABASE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/database.h"

namespace kommune {

// Opens (creating if missing) an SQLite database file in WAL mode with
// foreign keys on and a busy timeout, behind a small connection pool.
absl::StatusOr<std::unique_ptr<Database>> OpenSqliteDatabase(
    const std::string& path);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_SQLITE_DATABASE_H_
