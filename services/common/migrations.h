#ifndef KOMMUNE_SERVICES_COMMON_MIGRATIONS_H_
#define KOMMUNE_SERVICES_COMMON_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/database.h"
#include "services/common/embedded_file.h"

namespace kommune {

// One versioned schema step.
struct Migration {
  int version = 0;
  std::string name;
  std::string sql;
};

// Picks each version's SQL for the engine from files named
// NNNN_name.sql (both engines; BLOB columns become BYTEA on PostgreSQL),
// NNNN_name.sqlite.sql or NNNN_name.postgresql.sql (one engine; wins over
// the shared file).
absl::StatusOr<std::vector<Migration>> MigrationsFor(
    Database::Engine engine, const std::vector<EmbeddedFile>& files);

// Applies the component's pending migrations in one transaction, in version
// order, and records them in schema_migrations. Safe when several replicas
// start at once: on PostgreSQL they queue on an advisory lock, on SQLite on
// the write lock, and each finds the others' work done.
absl::Status ApplyMigrations(Database& db, absl::string_view component,
                             const std::vector<EmbeddedFile>& files);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_MIGRATIONS_H_
