#ifndef KOMMUNE_SERVICES_ESDH_SINK_H_
#define KOMMUNE_SERVICES_ESDH_SINK_H_

#include <string>

#include "absl/status/statusor.h"
#include "kommune/esdh/v1/journal.pb.h"

namespace kommune::esdh {

// What a sink answers when it took a document.
struct Receipt {
  // The number the ESDH system gave the document, when it says; empty
  // otherwise.
  std::string document_number;
};

// Where a municipality's journal records go: its ESDH system, or a place
// that system reads from. Deliver is called at least once per record, with
// the record's idempotency key, and must be safe to repeat: a receiver that
// deduplicates by the key creates each document once.
//
// Errors tell the connector what to do next:
// - UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (429), ABORTED, and
//   INTERNAL: a temporary failure; retried with backoff.
// - INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED,
//   UNAUTHENTICATED, NOT_FOUND, OUT_OF_RANGE (too large for the sink):
//   permanent; the delivery is parked at once with the message as reason.
// Messages say what happened in words an operator can act on.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual absl::StatusOr<Receipt> Deliver(const v1::JournalRecord& record) = 0;
};

// Whether a Deliver error is worth retrying (see above).
bool IsTemporary(const absl::Status& status);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_SINK_H_
