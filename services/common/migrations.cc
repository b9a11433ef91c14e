#include "services/common/migrations.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kommune {

absl::StatusOr<std::vector<Migration>> MigrationsFor(
    Database::Engine engine, const std::vector<EmbeddedFile>& files) {
  absl::string_view own =
      engine == Database::Engine::kSqlite ? ".sqlite.sql" : ".postgresql.sql";
  absl::string_view other =
      engine == Database::Engine::kSqlite ? ".postgresql.sql" : ".sqlite.sql";
  std::map<int, Migration> shared;
  std::map<int, Migration> specific;
  for (const EmbeddedFile& file : files) {
    absl::string_view name = file.name;
    if (absl::EndsWith(name, other)) continue;
    bool is_specific = absl::EndsWith(name, own);
    absl::string_view stem = name;
    if (!absl::ConsumeSuffix(&stem, is_specific ? own : ".sql")) {
      return absl::InternalError(
          absl::StrCat("migration file '", name, "' does not end in .sql"));
    }
    size_t underscore = stem.find('_');
    int version = 0;
    if (underscore == absl::string_view::npos ||
        !absl::SimpleAtoi(stem.substr(0, underscore), &version) ||
        version <= 0) {
      return absl::InternalError(absl::StrCat("migration file '", name,
                                              "' must be named NNNN_name.sql"));
    }
    Migration m{version, std::string(stem.substr(underscore + 1)),
                std::string(file.content)};
    auto& target = is_specific ? specific : shared;
    if (!target.emplace(version, std::move(m)).second) {
      return absl::InternalError(
          absl::StrCat("two migrations share version ", version));
    }
  }
  // The one type the engines spell differently: shared files say BLOB.
  if (engine == Database::Engine::kPostgres) {
    for (auto& [version, m] : shared) {
      m.sql = absl::StrReplaceAll(m.sql, {{" BLOB", " BYTEA"}});
    }
  }
  for (auto& [version, m] : specific) shared[version] = std::move(m);
  std::vector<Migration> out;
  for (auto& [version, m] : shared) out.push_back(std::move(m));
  return out;
}

absl::Status ApplyMigrations(Database& db, absl::string_view component,
                             const std::vector<EmbeddedFile>& files) {
  absl::StatusOr<std::vector<Migration>> migrations =
      MigrationsFor(db.engine(), files);
  if (!migrations.ok()) return migrations.status();
  return db.Write([&](Transaction& tx) -> absl::Status {
    // The lock comes before CREATE TABLE: two PostgreSQL sessions creating
    // the same table at once collide even with IF NOT EXISTS.
    if (auto s = tx.Lock("schema_migrations"); !s.ok()) return s;
    if (auto s =
            tx.ExecuteScript("CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " component TEXT NOT NULL,"
                             " version BIGINT NOT NULL,"
                             " name TEXT NOT NULL,"
                             " applied_at TEXT NOT NULL,"
                             " PRIMARY KEY (component, version))");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::vector<Row>> rows =
        tx.Query("SELECT version FROM schema_migrations WHERE component = ?",
                 {std::string(component)});
    if (!rows.ok()) return rows.status();
    std::set<int64_t> applied;
    for (const Row& row : *rows) applied.insert(row.Int(0));
    for (const Migration& m : *migrations) {
      if (applied.count(m.version)) continue;
      if (auto s = tx.ExecuteScript(m.sql); !s.ok()) {
        return absl::Status(
            s.code(), absl::StrFormat("migration %s %04d_%s: %s", component,
                                      m.version, m.name, s.message()));
      }
      if (auto s = tx.Execute(
              "INSERT INTO schema_migrations (component, version, name, "
              "applied_at) VALUES (?, ?, ?, ?)",
              {std::string(component), static_cast<int64_t>(m.version), m.name,
               absl::FormatTime(absl::RFC3339_sec, absl::Now(),
                                absl::UTCTimeZone())});
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace kommune
