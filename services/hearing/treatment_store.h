#ifndef KOMMUNE_SERVICES_HEARING_TREATMENT_STORE_H_
#define KOMMUNE_SERVICES_HEARING_TREATMENT_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "kommune/hearing/v1/treatment.pb.h"
#include "services/common/database.h"
#include "services/common/embedded_file.h"
#include "services/common/event_log.h"
#include "services/common/request_log.h"

namespace kommune::hearing {

// The hearing service's migrations, compiled in from migrations/.
std::vector<EmbeddedFile> HearingMigrationFiles();

// A municipality's resource: a template or a case.
struct TreatmentKey {
  std::string municipality_code;
  std::string id;
};

std::string TemplateName(const TreatmentKey& key);
std::string CaseName(const TreatmentKey& key);

// Hearing states as the hearings table holds them (HearingState).
inline constexpr int64_t kHearingOpen = 2;
inline constexpr int64_t kHearingClosed = 3;
inline constexpr int64_t kHearingProcessed = 4;

// A row of the hearings table (written by the hearing half of the service).
struct HearingRow {
  std::string name;
  std::string policy;
  int64_t state = 0;
};

// SQL for process templates, treatment cases and idempotent requests. Write
// methods run inside the caller's transaction, so that a change, its event
// and its idempotency record commit together.
class TreatmentStore {
 public:
  TreatmentStore(Database* db, EventLog* events) : db_(db), events_(events) {}

  Database& db() { return *db_; }

  // Serializes writers of one case until the transaction ends.
  absl::Status LockCase(Transaction& tx, const TreatmentKey& key);

  absl::StatusOr<v1::ProcessTemplate> LoadTemplate(Transaction& tx,
                                                   const TreatmentKey& key,
                                                   absl::string_view field);
  // Sets the template's etag, inserts (create) or replaces it and appends
  // `event_type`. ALREADY_EXISTS naming process_template_id when creating a
  // duplicate.
  absl::Status SaveTemplate(Transaction& tx, const TreatmentKey& key,
                            v1::ProcessTemplate* tmpl, bool create,
                            const std::string& actor,
                            const std::string& event_type);
  absl::Status DeleteTemplate(Transaction& tx, const TreatmentKey& key,
                              const std::string& actor);
  // Templates of a municipality with ids after `after`, in id order.
  absl::StatusOr<std::vector<v1::ProcessTemplate>> ListTemplates(
      Transaction& tx, const std::string& municipality_code,
      const std::string& after, int limit);

  absl::StatusOr<v1::TreatmentCase> LoadCase(Transaction& tx,
                                             const TreatmentKey& key,
                                             absl::string_view field);
  // Sets the case's etag, inserts (create) or replaces it and appends each
  // of `event_types` with the case as payload.
  absl::Status SaveCase(Transaction& tx, const TreatmentKey& key,
                        v1::TreatmentCase* treatment_case, bool create,
                        const std::string& actor,
                        const std::vector<std::string>& event_types);
  absl::StatusOr<std::vector<v1::TreatmentCase>> ListCases(
      Transaction& tx, const std::string& municipality_code,
      const std::string& after, int limit);
  // The cases treating `policy` (a name without "@revision") with their
  // state (CaseState), in key order.
  absl::StatusOr<std::vector<std::pair<TreatmentKey, int64_t>>> CasesOfPolicy(
      Transaction& tx, const std::string& policy);
  // Cases whose adoption waits for the policy service.
  absl::StatusOr<std::vector<TreatmentKey>> PendingAdoptions(Transaction& tx);

  // The hearings of a policy ("municipalities/101/policies/x") and one
  // hearing by name, read from the hearings table.
  absl::StatusOr<std::vector<HearingRow>> HearingsOfPolicy(
      Transaction& tx, const std::string& policy);
  absl::StatusOr<std::optional<HearingRow>> FindHearing(
      Transaction& tx, const std::string& name);

  // As PolicyStore: the stored answer to an earlier request with this id.
  absl::StatusOr<bool> Replay(Transaction& tx,
                              const std::string& municipality_code,
                              const std::string& request_id,
                              const std::string& fingerprint,
                              google::protobuf::Message* out);
  absl::Status SaveResponse(Transaction& tx,
                            const std::string& municipality_code,
                            const std::string& request_id,
                            const std::string& fingerprint,
                            const google::protobuf::Message& response);

 private:
  RequestLog requests_{"treatment_requests", "municipality_code"};
  Database* db_;
  EventLog* events_;
};

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_TREATMENT_STORE_H_
