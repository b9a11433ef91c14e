#include "services/common/sqlite_database.h"

#include <sqlite3.h>

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kommune {
namespace {

constexpr int kPoolSize = 8;
constexpr int kBusyTimeoutMs = 10000;
constexpr int kMaxAttempts = 5;

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  std::string message = absl::StrCat(what, ": ", sqlite3_errmsg(db));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: {
      int extended = sqlite3_extended_errcode(db);
      if (extended == SQLITE_CONSTRAINT_UNIQUE ||
          extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError(message);
      }
      return absl::FailedPreconditionError(message);
    }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return MarkRetryable(absl::AbortedError(message));
    default:
      return absl::InternalError(message);
  }
}

// One connection and its prepared statements. Preparing is a good part of
// a small query's cost, and the services run the same few statements.
struct SqliteConnection {
  static constexpr size_t kMaxStatements = 128;

  explicit SqliteConnection(sqlite3* handle) : db(handle) {}
  ~SqliteConnection() {
    for (auto& [sql, stmt] : statements) sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
  }

  sqlite3* db;
  absl::flat_hash_map<std::string, sqlite3_stmt*> statements;
};

class SqliteTransaction : public Transaction {
 public:
  explicit SqliteTransaction(SqliteConnection* conn)
      : conn_(conn), db_(conn->db) {}

  absl::Status Execute(absl::string_view sql, const Params& params) override {
    return Run(sql, params, nullptr);
  }

  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                         const Params& params) override {
    std::vector<Row> rows;
    absl::Status status = Run(sql, params, &rows);
    if (!status.ok()) return status;
    return rows;
  }

  absl::Status ExecuteScript(absl::string_view sql) override {
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "script");
    return absl::OkStatus();
  }

  absl::Status Lock(absl::string_view) override { return absl::OkStatus(); }

 private:
  absl::Status Run(absl::string_view sql, const Params& params,
                   std::vector<Row>* rows) {
    absl::StatusOr<sqlite3_stmt*> prepared = Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    sqlite3_stmt* stmt = *prepared;
    // Leaves the cached statement ready for its next use.
    auto done = [](sqlite3_stmt* s) {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    };
    std::unique_ptr<sqlite3_stmt, decltype(done)> guard(stmt, done);
    int rc = SQLITE_OK;
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else if (auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, idx, s->data(), s->size(),
                                 SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        const std::string& b = std::get<Blob>(v).bytes;
        rc = sqlite3_bind_blob64(stmt, idx, b.data(), b.size(),
                                 SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    while (true) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return absl::OkStatus();
      if (rc != SQLITE_ROW) return SqliteError(db_, rc, "step");
      if (rows == nullptr) continue;
      int n = sqlite3_column_count(stmt);
      std::vector<Value> cells;
      cells.reserve(n);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            cells.emplace_back(std::monostate());
            break;
          case SQLITE_INTEGER:
            cells.emplace_back(
                static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            cells.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_BLOB: {
            const void* p = sqlite3_column_blob(stmt, c);
            int len = sqlite3_column_bytes(stmt, c);
            cells.emplace_back(
                Blob{std::string(static_cast<const char*>(p), len)});
            break;
          }
          default: {
            const unsigned char* p = sqlite3_column_text(stmt, c);
            int len = sqlite3_column_bytes(stmt, c);
            cells.emplace_back(
                std::string(reinterpret_cast<const char*>(p), len));
          }
        }
      }
      rows->emplace_back(std::move(cells));
    }
  }

  absl::StatusOr<sqlite3_stmt*> Prepare(absl::string_view sql) {
    std::string key(sql);
    if (auto it = conn_->statements.find(key); it != conn_->statements.end()) {
      return it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, key.data(), static_cast<int>(key.size()),
                                &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    if (conn_->statements.size() >= SqliteConnection::kMaxStatements) {
      for (auto& [text, old] : conn_->statements) sqlite3_finalize(old);
      conn_->statements.clear();
    }
    conn_->statements.emplace(std::move(key), stmt);
    return stmt;
  }

  SqliteConnection* conn_;
  sqlite3* db_;
};

class SqliteDatabase : public Database {
 public:
  ~SqliteDatabase() override {
    for (SqliteConnection* conn : idle_) delete conn;
  }

  absl::Status Init(const std::string& path) {
    for (int i = 0; i < kPoolSize; ++i) {
      sqlite3* db = nullptr;
      int rc = sqlite3_open_v2(
          path.c_str(), &db,
          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
          nullptr);
      if (rc != SQLITE_OK) {
        absl::Status status = absl::UnavailableError(
            absl::StrCat("database: cannot open SQLite file '", path,
                         "': ", db ? sqlite3_errmsg(db) : "out of memory"));
        sqlite3_close_v2(db);
        return status;
      }
      auto* conn = new SqliteConnection(db);
      idle_.push_back(conn);
      sqlite3_busy_timeout(db, kBusyTimeoutMs);
      SqliteTransaction setup(conn);
      // Reads of large tables (a follow-up sweep reads millions of values)
      // map the file instead of copying each page through read() into a
      // small page cache; 1 GiB of address space per connection, not memory.
      for (const char* pragma :
           {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON",
            "PRAGMA synchronous=NORMAL", "PRAGMA mmap_size=1073741824"}) {
        auto status = setup.Query(pragma, {});
        if (!status.ok()) return status.status();
      }
    }
    return absl::OkStatus();
  }

  Engine engine() const override { return Engine::kSqlite; }

  absl::Status InTransaction(
      Mode mode, absl::FunctionRef<absl::Status(Transaction&)> fn) override {
    SqliteConnection* db = Acquire();
    absl::Status status;
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      SqliteTransaction tx(db);
      // IMMEDIATE takes the write lock up front, so two writers never both
      // read and then fail to upgrade.
      status = RunTransactionAttempt(
          tx, mode == Mode::kReadWrite ? "BEGIN IMMEDIATE" : "BEGIN", fn);
      if (!IsRetryable(status)) break;
      absl::SleepFor(absl::Milliseconds(5 * attempt));
    }
    Release(db);
    return status;
  }

 private:
  SqliteConnection* Acquire() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::vector<SqliteConnection*>* idle) { return !idle->empty(); },
        &idle_));
    SqliteConnection* db = idle_.back();
    idle_.pop_back();
    return db;
  }

  void Release(SqliteConnection* db) {
    absl::MutexLock lock(&mu_);
    idle_.push_back(db);
  }

  absl::Mutex mu_;
  std::vector<SqliteConnection*> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> OpenSqliteDatabase(
    const std::string& path) {
  auto db = std::make_unique<SqliteDatabase>();
  absl::Status status = db->Init(path);
  if (!status.ok()) return status;
  return db;
}

}  // namespace kommune
