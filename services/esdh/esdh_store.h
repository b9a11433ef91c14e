#ifndef KOMMUNE_SERVICES_ESDH_ESDH_STORE_H_
#define KOMMUNE_SERVICES_ESDH_ESDH_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kommune/esdh/v1/esdh_service.pb.h"
#include "kommune/esdh/v1/journal.pb.h"
#include "services/common/database.h"

namespace kommune::esdh {

// A resource that belongs to an ESDH case, as an event showed it.
struct CaseMemberRow {
  std::string municipality;
  std::string case_number;
  std::string resource;
  std::string service;
  std::string kind;
  std::string title;
};

// The connector's tables: feed cursors, deliveries and the case index.
class EsdhStore {
 public:
  explicit EsdhStore(Database* db) : db_(db) {}
  Database& db() { return *db_; }

  // The last sequence read from `feed` (0 before the first).
  absl::StatusOr<int64_t> Cursor(Transaction& tx, const std::string& feed);
  absl::Status SetCursor(Transaction& tx, const std::string& feed,
                         int64_t sequence);

  // Queues a delivery of `record` (pending, due now). A record whose
  // idempotency key is queued already is left as it is (a feed read twice
  // after a crash queues nothing twice). With a `park_reason` it is queued
  // parked, for an operator to look at. Returns whether it was new.
  absl::StatusOr<bool> Enqueue(Transaction& tx, const std::string& municipality,
                               const v1::JournalRecord& record, absl::Time now,
                               const std::string& park_reason = "");
  absl::Status IndexMember(Transaction& tx, const CaseMemberRow& row);

  // Pending deliveries that are due and first in line in their case (no
  // earlier pending or parked delivery of the same case), oldest first.
  absl::StatusOr<std::vector<v1::Delivery>> DueHeads(Transaction& tx,
                                                     absl::Time now, int limit);
  absl::StatusOr<std::optional<v1::Delivery>> Get(Transaction& tx,
                                                  const std::string& name);
  // Writes a delivery's state, attempts, due time, error and snapshot.
  absl::Status Update(Transaction& tx, const v1::Delivery& delivery);
  // By seq descending, below `before_seq` (0 for the start).
  absl::StatusOr<std::vector<std::pair<int64_t, v1::Delivery>>> List(
      Transaction& tx, const std::string& municipality, v1::DeliveryState state,
      int64_t before_seq, int limit);
  absl::StatusOr<std::vector<CaseMemberRow>> CaseMembers(
      Transaction& tx, const std::string& municipality,
      const std::string& case_number);
  // Document numbers reported for documents of `resource`.
  absl::StatusOr<std::vector<std::string>> DocumentNumbers(
      Transaction& tx, const std::string& resource);

 private:
  Database* db_;
};

// "municipalities/{m}/deliveries/{key}": a delivery's name from its
// record's idempotency key (made safe for a resource id).
std::string DeliveryName(const std::string& municipality,
                         const std::string& idempotency_key);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_ESDH_STORE_H_
