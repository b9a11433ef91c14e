#ifndef KOMMUNE_SERVICES_COMMON_EVENT_LOG_H_
#define KOMMUNE_SERVICES_COMMON_EVENT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kommune/common/v1/change_feed.pb.h"
#include "services/common/database.h"

namespace kommune {

// What a service appends to its change feed alongside a change.
struct NewEvent {
  std::string municipality_code;
  std::string type;      // "policy.created"
  std::string resource;  // "municipalities/169/policies/integration-2007"
  std::string actor;     // the caller's subject
  // The resource after the change; packed into google.protobuf.Any.
  const google::protobuf::Message* payload = nullptr;
};

// The transactional outbox of one service: events are appended inside the
// transaction that makes the change, and numbered in commit order.
class EventLog {
 public:
  // Appends an event in tx and returns its sequence. Writers serialize on a
  // lock so that sequences become visible in increasing order, which is what
  // lets a consumer keep a single "after" cursor without missing events.
  absl::StatusOr<int64_t> Append(Transaction& tx, const NewEvent& event);

  // Events with sequence > after_sequence, oldest first, at most limit.
  // An empty municipality list means all municipalities.
  absl::StatusOr<std::vector<common::v1::Event>> List(
      Database& db, const std::vector<std::string>& municipality_codes,
      int64_t after_sequence, int limit);

  // The highest sequence this process has seen committed.
  int64_t LastCommitted();

  // Blocks until an event after `sequence` may have been committed in this
  // process, the timeout passes (another replica may have written), or
  // Shutdown. Returns false once shut down.
  bool WaitForNewer(int64_t sequence, absl::Duration timeout);

  // Wakes every waiter for good, so that streams end before the server
  // drains.
  void Shutdown();

 private:
  void Committed(int64_t sequence);

  absl::Mutex mu_;
  int64_t last_committed_ ABSL_GUARDED_BY(mu_) = 0;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_EVENT_LOG_H_
