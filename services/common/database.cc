#include "services/common/database.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/postgres_database.h"
#include "services/common/sqlite_database.h"

namespace kommune {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

constexpr char kRetryablePayload[] = "kommune.database/retryable";

}  // namespace

absl::Status MarkRetryable(absl::Status status) {
  status.SetPayload(kRetryablePayload, absl::Cord("1"));
  return status;
}

bool IsRetryable(const absl::Status& status) {
  return status.GetPayload(kRetryablePayload).has_value();
}

absl::Status RunTransactionAttempt(
    Transaction& tx, absl::string_view begin,
    absl::FunctionRef<absl::Status(Transaction&)> fn) {
  absl::Status status = tx.Execute(begin);
  if (!status.ok()) return status;
  status = fn(tx);
  if (status.ok()) {
    status = tx.Execute("COMMIT");
    if (status.ok()) {
      for (auto& callback : tx.TakeOnCommit()) callback();
      return status;
    }
  }
  (void)tx.Execute("ROLLBACK");
  return status;
}

bool Row::IsNull(size_t i) const {
  return std::holds_alternative<std::monostate>(cells_.at(i));
}

int64_t Row::Int(size_t i) const {
  return std::visit(Overloaded{
                        [](std::monostate) -> int64_t { return 0; },
                        [](int64_t v) { return v; },
                        [](double v) { return static_cast<int64_t>(v); },
                        [](const std::string& v) -> int64_t {
                          return std::strtoll(v.c_str(), nullptr, 10);
                        },
                        [](const Blob&) -> int64_t { return 0; },
                    },
                    cells_.at(i));
}

double Row::Double(size_t i) const {
  return std::visit(
      Overloaded{
          [](std::monostate) { return 0.0; },
          [](int64_t v) { return static_cast<double>(v); },
          [](double v) { return v; },
          [](const std::string& v) { return std::strtod(v.c_str(), nullptr); },
          [](const Blob&) { return 0.0; },
      },
      cells_.at(i));
}

std::string Row::Text(size_t i) const {
  return std::visit(Overloaded{
                        [](std::monostate) { return std::string(); },
                        [](int64_t v) { return absl::StrCat(v); },
                        [](double v) { return absl::StrCat(v); },
                        [](const std::string& v) { return v; },
                        [](const Blob& v) { return v.bytes; },
                    },
                    cells_.at(i));
}

absl::StatusOr<std::unique_ptr<Database>> OpenDatabase(absl::string_view url,
                                                       int pool_size) {
  if (absl::StartsWith(url, "sqlite://")) {
    absl::string_view path = url.substr(absl::string_view("sqlite://").size());
    if (path.empty()) {
      return absl::InvalidArgumentError(
          "database: sqlite URL has no file path (sqlite:///path/file.db)");
    }
    return OpenSqliteDatabase(std::string(path));
  }
  if (absl::StartsWith(url, "postgresql://") ||
      absl::StartsWith(url, "postgres://")) {
    return OpenPostgresDatabase(std::string(url), pool_size);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "database: unsupported URL '", url,
      "'; use sqlite:///path/file.db or postgresql://user@host/db"));
}

}  // namespace kommune
