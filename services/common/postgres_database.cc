#include "services/common/postgres_database.h"

#include <libpq-fe.h>

#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kommune {
namespace {

constexpr int kMaxAttempts = 8;

// PostgreSQL type OIDs (pg_type.h) that we convert to native values.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

using ResultPtr = std::unique_ptr<PGresult, void (*)(PGresult*)>;

absl::Status ErrorFromResult(const PGresult* res, PGconn* conn,
                             absl::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = absl::StrCat(
      what, ": ", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  while (!message.empty() && message.back() == '\n') message.pop_back();
  absl::string_view code = state ? state : "";
  if (code == "23505") return absl::AlreadyExistsError(message);
  if (code == "23503" || code == "23514" || code == "23502") {
    return absl::FailedPreconditionError(message);
  }
  if (code == "40001" || code == "40P01") {
    return MarkRetryable(absl::AbortedError(message));
  }
  if (code.empty() || code.substr(0, 2) == "08") {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

class PostgresTransaction : public Transaction {
 public:
  explicit PostgresTransaction(PGconn* conn) : conn_(conn) {}

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
    ResultPtr res(PQexec(conn_, text.c_str()), PQclear);
    ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return ErrorFromResult(res.get(), conn_, "script");
    }
    return absl::OkStatus();
  }

  absl::Status Lock(absl::string_view name) override {
    // hashtext is stable across processes, so every replica agrees on the
    // key (absl::Hash is seeded per process).
    return Execute("SELECT pg_advisory_xact_lock(hashtext(?))",
                   {std::string(name)});
  }

 private:
  absl::Status Run(absl::string_view sql, const Params& params,
                   std::vector<Row>* rows) {
    std::string text = ToPostgresPlaceholders(sql);
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0);
    std::vector<int> formats(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (auto* n = std::get_if<int64_t>(&v)) {
        storage[i] = absl::StrCat(*n);
      } else if (auto* d = std::get_if<double>(&v)) {
        storage[i] = absl::StrCat(*d);
      } else if (auto* s = std::get_if<std::string>(&v)) {
        storage[i] = *s;
      } else {
        storage[i] = std::get<Blob>(v).bytes;
        formats[i] = 1;
      }
      values[i] = storage[i].data();
      lengths[i] = static_cast<int>(storage[i].size());
    }
    ResultPtr res(
        PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()),
                     nullptr, values.data(), lengths.data(), formats.data(),
                     /*resultFormat=*/0),
        PQclear);
    ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return ErrorFromResult(res.get(), conn_, "sql");
    }
    if (rows == nullptr) return absl::OkStatus();
    int nrows = PQntuples(res.get());
    int ncols = PQnfields(res.get());
    rows->reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value> cells;
      cells.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          cells.emplace_back(std::monostate());
          continue;
        }
        const char* raw = PQgetvalue(res.get(), r, c);
        int len = PQgetlength(res.get(), r, c);
        switch (PQftype(res.get(), c)) {
          case kInt8Oid:
          case kInt4Oid:
          case kInt2Oid:
            cells.emplace_back(
                static_cast<int64_t>(std::strtoll(raw, nullptr, 10)));
            break;
          case kBoolOid:
            cells.emplace_back(static_cast<int64_t>(raw[0] == 't'));
            break;
          case kFloat4Oid:
          case kFloat8Oid:
            cells.emplace_back(std::strtod(raw, nullptr));
            break;
          case kByteaOid: {
            size_t out_len = 0;
            unsigned char* bytes = PQunescapeBytea(
                reinterpret_cast<const unsigned char*>(raw), &out_len);
            cells.emplace_back(
                Blob{std::string(reinterpret_cast<char*>(bytes), out_len)});
            PQfreemem(bytes);
            break;
          }
          default:
            cells.emplace_back(std::string(raw, len));
        }
      }
      rows->emplace_back(std::move(cells));
    }
    return absl::OkStatus();
  }

  PGconn* conn_;
};

class PostgresDatabase : public Database {
 public:
  PostgresDatabase(std::string url, int pool_size)
      : url_(std::move(url)), pool_size_(pool_size) {}
  ~PostgresDatabase() override {
    for (PGconn* conn : idle_) PQfinish(conn);
  }

  absl::Status Init() {
    absl::StatusOr<PGconn*> conn = Acquire();
    if (!conn.ok()) return conn.status();
    Release(*conn);
    return absl::OkStatus();
  }

  Engine engine() const override { return Engine::kPostgres; }

  absl::Status InTransaction(
      Mode mode, absl::FunctionRef<absl::Status(Transaction&)> fn) override {
    absl::Status status;
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      absl::StatusOr<PGconn*> conn = Acquire();
      if (!conn.ok()) return conn.status();
      PostgresTransaction tx(*conn);
      status = RunTransactionAttempt(
          tx, mode == Mode::kReadWrite ? "BEGIN" : "BEGIN READ ONLY", fn);
      if (PQstatus(*conn) != CONNECTION_OK) {
        // A lost connection (the server restarted, a failover, a network
        // cut) is dropped and the transaction tried again on a new one.
        // Writes are idempotent by request id where a retry could repeat a
        // commit whose answer was lost.
        PQfinish(*conn);
        ReleaseSlot();
        if (!status.ok() && !IsRetryable(status)) {
          status = MarkRetryable(absl::UnavailableError(
              absl::StrCat("database: the connection to PostgreSQL was lost: ",
                           status.message())));
        }
      } else {
        Release(*conn);
      }
      if (!IsRetryable(status)) break;
      absl::SleepFor(absl::Milliseconds(5 * attempt));
    }
    return status;
  }

 private:
  absl::StatusOr<PGconn*> Connect() {
    PGconn* conn = PQconnectdb(url_.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn);
      while (!message.empty() && message.back() == '\n') message.pop_back();
      PQfinish(conn);
      return absl::UnavailableError(
          absl::StrCat("database: cannot connect to PostgreSQL: ", message));
    }
    // Quiet NOTICEs such as "relation already exists, skipping".
    PQclear(PQexec(conn, "SET client_min_messages TO WARNING"));
    return conn;
  }

  absl::StatusOr<PGconn*> Acquire() {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &PostgresDatabase::CanAcquire));
      if (!idle_.empty()) {
        PGconn* conn = idle_.back();
        idle_.pop_back();
        return conn;
      }
      ++open_;
    }
    absl::StatusOr<PGconn*> conn = Connect();
    if (!conn.ok()) ReleaseSlot();
    return conn;
  }

  bool CanAcquire() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !idle_.empty() || open_ < pool_size_;
  }

  void Release(PGconn* conn) {
    absl::MutexLock lock(&mu_);
    idle_.push_back(conn);
  }

  void ReleaseSlot() {
    absl::MutexLock lock(&mu_);
    --open_;
  }

  const std::string url_;
  const int pool_size_;
  absl::Mutex mu_;
  std::vector<PGconn*> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::string ToPostgresPlaceholders(absl::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '?') {
      absl::StrAppend(&out, "$", ++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Database>> OpenPostgresDatabase(
    const std::string& url, int pool_size) {
  if (pool_size < 1) {
    return absl::InvalidArgumentError(
        "database_pool_size: at least 1 connection");
  }
  auto db = std::make_unique<PostgresDatabase>(url, pool_size);
  absl::Status status = db->Init();
  if (!status.ok()) return status;
  return db;
}

}  // namespace kommune
