#ifndef KOMMUNE_SERVICES_COMMON_POSTGRES_DATABASE_H_
#define KOMMUNE_SERVICES_COMMON_POSTGRES_DATABASE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/database.h"

namespace kommune {

// Connects to PostgreSQL 15 (or a compatible engine) with libpq, behind a
// connection pool of at most `pool_size` connections. Fails at once if the
// server cannot be reached.
absl::StatusOr<std::unique_ptr<Database>> OpenPostgresDatabase(
    const std::string& url, int pool_size = 8);

// Rewrites '?' placeholders to PostgreSQL's $1, $2, ... outside quoted text.
std::string ToPostgresPlaceholders(absl::string_view sql);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_POSTGRES_DATABASE_H_
