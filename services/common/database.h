#ifndef KOMMUNE_SERVICES_COMMON_DATABASE_H_
#define KOMMUNE_SERVICES_COMMON_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kommune {

// Binary data, bound as BLOB (SQLite) or BYTEA (PostgreSQL).
struct Blob {
  std::string bytes;
};

// One SQL parameter or result cell. std::monostate is SQL NULL.
using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;
using Params = std::vector<Value>;

// One result row. Accessors convert leniently because the two engines report
// column types differently (PostgreSQL's COUNT is BIGINT, SQLite's INTEGER).
class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const;
  int64_t Int(size_t i) const;
  double Double(size_t i) const;
  // Text or blob content; empty for NULL.
  std::string Text(size_t i) const;

 private:
  std::vector<Value> cells_;
};

// A transaction in progress. SQL uses '?' placeholders on both engines.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual absl::Status Execute(absl::string_view sql,
                               const Params& params = {}) = 0;
  virtual absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                                 const Params& params = {}) = 0;
  // Runs several ';'-separated statements without parameters (migrations).
  virtual absl::Status ExecuteScript(absl::string_view sql) = 0;
  // Holds a named lock until the transaction ends, so that writers of the
  // same thing (the event log's next sequence, say) go one at a time.
  // SQLite write transactions are already exclusive.
  virtual absl::Status Lock(absl::string_view name) = 0;

  // Runs after a successful commit, never after a rollback.
  void OnCommit(std::function<void()> fn) {
    on_commit_.push_back(std::move(fn));
  }
  std::vector<std::function<void()>> TakeOnCommit() {
    return std::move(on_commit_);
  }

 private:
  std::vector<std::function<void()>> on_commit_;
};

// A service's database: SQLite for one machine, PostgreSQL in production.
class Database {
 public:
  enum class Engine { kSqlite, kPostgres };
  enum class Mode { kReadOnly, kReadWrite };

  virtual ~Database() = default;
  virtual Engine engine() const = 0;

  // Runs fn in a transaction: commits when it returns OK, rolls back
  // otherwise and returns its status. Conflicts between concurrent writers
  // (deadlock, serialization failure, busy) are retried, so fn may run more
  // than once and must have no effects outside the transaction.
  virtual absl::Status InTransaction(
      Mode mode, absl::FunctionRef<absl::Status(Transaction&)> fn) = 0;

  absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> fn) {
    return InTransaction(Mode::kReadWrite, fn);
  }
  absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> fn) {
    return InTransaction(Mode::kReadOnly, fn);
  }
};

// One attempt of a transaction on an engine's Transaction: runs `begin`,
// then fn; commits and runs the OnCommit callbacks when fn succeeds, rolls
// back otherwise. Engines call this from their InTransaction.
absl::Status RunTransactionAttempt(
    Transaction& tx, absl::string_view begin,
    absl::FunctionRef<absl::Status(Transaction&)> fn);

// Marks an engine-reported conflict (deadlock, serialization failure, busy)
// that InTransaction may retry. A handler's own ABORTED (a stale etag) is not
// marked and never retried.
absl::Status MarkRetryable(absl::Status status);
bool IsRetryable(const absl::Status& status);

// Opens a database from a URL: sqlite:///abs/path.db, sqlite://rel/path.db,
// or a libpq URI postgresql://user@host:port/db (also with ?host=/socket/dir).
// `pool_size` bounds PostgreSQL connections per process (SQLite has one
// writer and needs no pool).
absl::StatusOr<std::unique_ptr<Database>> OpenDatabase(absl::string_view url,
                                                       int pool_size = 8);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_DATABASE_H_
