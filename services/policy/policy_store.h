#ifndef KOMMUNE_SERVICES_POLICY_POLICY_STORE_H_
#define KOMMUNE_SERVICES_POLICY_POLICY_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "kommune/policy/v1/policy.pb.h"
#include "services/common/database.h"
#include "services/common/embedded_file.h"
#include "services/common/event_log.h"
#include "services/common/request_log.h"
#include "services/policy/revision_cache.h"

namespace kommune::policy {

// The policy service's migrations, compiled in from migrations/.
std::vector<EmbeddedFile> PolicyMigrationFiles();

struct PolicyKey {
  std::string municipality_code;
  std::string policy_id;
  std::string Name() const;
};

// One row of the policies table: what lists filter on.
struct PolicyRow {
  PolicyKey key;
  std::string uid;
  v1::PolicyState state = v1::POLICY_STATE_UNSPECIFIED;
  int64_t current_revision = 0;
};

struct ListQuery {
  // Empty means every municipality.
  std::vector<std::string> municipality_codes;
  std::vector<v1::PolicyState> states;
  int32_t period_year = 0;
  // Keyset paging: rows strictly after this key.
  std::optional<PolicyKey> after;
  int limit = 50;
};

// SQL for policies, their immutable revisions and idempotent requests. The
// write methods run inside a caller's transaction, so that a change, its
// revision, its event and its idempotency record commit together.
class PolicyStore {
 public:
  PolicyStore(Database* db, EventLog* events, size_t cache_entries = 2048)
      : db_(db), events_(events), cache_(cache_entries) {}

  Database& db() { return *db_; }

  // Serializes writers of one policy until the transaction ends (a no-op on
  // SQLite, whose writers are serialized already). Take it before reading
  // what the write depends on.
  absl::Status LockPolicy(Transaction& tx, const PolicyKey& key);

  // The row of a policy, or NOT_FOUND naming `field`.
  absl::StatusOr<PolicyRow> FindRow(Transaction& tx, const PolicyKey& key,
                                    absl::string_view field);
  // A revision snapshot (0 = the current one), or NOT_FOUND.
  absl::StatusOr<std::shared_ptr<const v1::Policy>> Load(
      Transaction& tx, const PolicyKey& key, int64_t revision,
      absl::string_view field);
  // A revision both parsed and as its stored bytes (a serialized Policy),
  // for reads that send the whole policy without serializing it again.
  absl::StatusOr<std::shared_ptr<const CachedRevision>> LoadRevision(
      Transaction& tx, const PolicyKey& key, int64_t revision,
      absl::string_view field);

  // Stores `policy` under `key` as the next revision (the first when `create`),
  // sets its output-only revision fields and etag, points the row at it and
  // appends `event_type` to the change feed. ALREADY_EXISTS on create when
  // the policy exists.
  absl::StatusOr<v1::Policy> WriteRevision(
      Transaction& tx, const PolicyKey& key, v1::Policy policy,
      const std::string& actor, const std::string& event_type, bool create);

  // Removes a policy with all its revisions, announcing `policy.deleted`.
  absl::Status Delete(Transaction& tx, const PolicyKey& key,
                      const std::string& actor);

  // Open drafts or hearings (not yet adopted) that revise `name`.
  absl::StatusOr<std::vector<std::string>> OpenRevisionsOf(
      Transaction& tx, const std::string& name);

  absl::StatusOr<std::vector<PolicyRow>> List(Transaction& tx,
                                              const ListQuery& query);
  // Revision numbers of a policy, newest first, below `before` (0 = all).
  absl::StatusOr<std::vector<int64_t>> ListRevisions(Transaction& tx,
                                                     const PolicyKey& key,
                                                     int64_t before, int limit);

  // Fills `out` with the stored answer to an earlier request with this id
  // and returns true, or returns false when the id is new (or empty).
  // INVALID_ARGUMENT naming request_id when the id came with another request.
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
  RequestLog requests_{"policy_requests", "municipality_code"};
  Database* db_;
  EventLog* events_;
  RevisionCache cache_;
};

// Revision ids are the decimal revision number ("1", "2", ...).
std::string RevisionId(int64_t revision);
// 0 for an id that is not a revision number.
int64_t ParseRevisionId(absl::string_view id);

}  // namespace kommune::policy

#endif  // KOMMUNE_SERVICES_POLICY_POLICY_STORE_H_
