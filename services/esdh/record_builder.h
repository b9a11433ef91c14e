#ifndef KOMMUNE_SERVICES_ESDH_RECORD_BUILDER_H_
#define KOMMUNE_SERVICES_ESDH_RECORD_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kommune/common/v1/change_feed.pb.h"
#include "kommune/esdh/v1/journal.pb.h"
#include "services/esdh/document_source.h"
#include "services/esdh/esdh_store.h"

namespace kommune::esdh {

// What one event means for ESDH: documents to journalise and resources
// that belong to a case.
struct EventOutcome {
  std::vector<v1::JournalRecord> records;
  std::vector<CaseMemberRow> members;
  // Why a document event made no record (no case number), for the log.
  std::string skipped_reason;
};

// Reads an event of `service`'s feed. Documents are made for: a hearing
// opened (its letter, outgoing), a response submitted (incoming), a hearing
// processed (the memo, internal), a decision recorded (internal), a policy
// adopted (the policy), a follow-up report published. Other events only
// index their resource's ESDH case. Files come from `source` (rendered by
// the owning service) or, for letters, responses and decisions whose text
// the event carries, are written here as Markdown. A resource without an
// ESDH case number cannot be journalised: no record, skipped_reason says so.
// Errors are the source's (the service could not be asked): the caller
// retries the event later.
absl::StatusOr<EventOutcome> ReadEvent(const std::string& service,
                                       const common::v1::Event& event,
                                       DocumentSource& source);

}  // namespace kommune::esdh

#endif  // KOMMUNE_SERVICES_ESDH_RECORD_BUILDER_H_
