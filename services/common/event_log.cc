#include "services/common/event_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/util/time_util.h"

namespace kommune {

absl::StatusOr<int64_t> EventLog::Append(Transaction& tx,
                                         const NewEvent& event) {
  if (auto s = tx.Lock("events"); !s.ok()) return s;
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT COALESCE(MAX(sequence), 0) + 1 FROM events");
  if (!rows.ok()) return rows.status();
  int64_t sequence = (*rows)[0].Int(0);
  Value payload;
  if (event.payload != nullptr) {
    google::protobuf::Any any;
    any.PackFrom(*event.payload);
    payload = Blob{any.SerializeAsString()};
  }
  if (auto s = tx.Execute(
          "INSERT INTO events (sequence, municipality_code, type, resource, "
          "actor, create_time_micros, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
          {sequence, event.municipality_code, event.type, event.resource,
           event.actor, absl::ToUnixMicros(absl::Now()), payload});
      !s.ok()) {
    return s;
  }
  tx.OnCommit([this, sequence] { Committed(sequence); });
  return sequence;
}

absl::StatusOr<std::vector<common::v1::Event>> EventLog::List(
    Database& db, const std::vector<std::string>& municipality_codes,
    int64_t after_sequence, int limit) {
  std::string sql =
      "SELECT sequence, municipality_code, type, resource, actor, "
      "create_time_micros, payload FROM events WHERE sequence > ?";
  Params params = {after_sequence};
  if (!municipality_codes.empty()) {
    std::vector<std::string> marks(municipality_codes.size(), "?");
    absl::StrAppend(&sql, " AND municipality_code IN (",
                    absl::StrJoin(marks, ", "), ")");
    for (const std::string& code : municipality_codes) params.push_back(code);
  }
  absl::StrAppend(&sql, " ORDER BY sequence LIMIT ?");
  params.push_back(static_cast<int64_t>(limit));
  std::vector<common::v1::Event> events;
  absl::Status status = db.Read([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::vector<Row>> rows = tx.Query(sql, params);
    if (!rows.ok()) return rows.status();
    events.clear();
    for (const Row& row : *rows) {
      common::v1::Event& e = events.emplace_back();
      e.set_sequence(row.Int(0));
      e.set_name(absl::StrCat("municipalities/", row.Text(1), "/events/",
                              e.sequence()));
      e.set_type(row.Text(2));
      e.set_resource(row.Text(3));
      e.set_actor(row.Text(4));
      *e.mutable_create_time() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.Int(5));
      if (!row.IsNull(6) &&
          !e.mutable_payload()->ParseFromString(row.Text(6))) {
        return absl::DataLossError(
            absl::StrCat("event ", e.sequence(), " has an unreadable payload"));
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return events;
}

void EventLog::Committed(int64_t sequence) {
  absl::MutexLock lock(&mu_);
  last_committed_ = std::max(last_committed_, sequence);
}

int64_t EventLog::LastCommitted() {
  absl::MutexLock lock(&mu_);
  return last_committed_;
}

bool EventLog::WaitForNewer(int64_t sequence, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return shut_down_ || last_committed_ > sequence;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  return !shut_down_;
}

void EventLog::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
}

}  // namespace kommune
