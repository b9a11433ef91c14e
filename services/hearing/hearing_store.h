#ifndef KOMMUNE_SERVICES_HEARING_HEARING_STORE_H_
#define KOMMUNE_SERVICES_HEARING_HEARING_STORE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "kommune/hearing/v1/hearing.pb.h"
#include "services/common/database.h"
#include "services/common/embedded_file.h"
#include "services/common/event_log.h"
#include "services/common/fingerprint.h"
#include "services/common/request_log.h"

namespace kommune::hearing {

// The hearing service's migrations, compiled in from migrations/.
std::vector<EmbeddedFile> HearingMigrationFiles();

// A stored hearing with what is kept beside its snapshot.
struct StoredHearing {
  v1::Hearing hearing;
  std::string municipality_code;
  std::set<std::string> element_ids;
};

// A stored response with its place in the order received.
struct StoredResponse {
  v1::Response response;
  int64_t seq = 0;
};

// SQL for hearings, responses and idempotent requests. Writes run inside
// the caller's transaction so that a change, its event and its idempotency
// record commit together.
class HearingStore {
 public:
  HearingStore(Database* db, EventLog* events) : db_(db), events_(events) {}

  Database& db() { return *db_; }

  // Serializes writers of one hearing (and its responses) until the
  // transaction ends.
  absl::Status Lock(Transaction& tx, const std::string& hearing_name);

  // NOT_FOUND naming `field` when there is no such hearing.
  absl::StatusOr<StoredHearing> LoadHearing(Transaction& tx,
                                            const std::string& name,
                                            absl::string_view field);
  // Inserts (create) or replaces a hearing, setting update_time and etag,
  // and appends `event_type` with the hearing (its parties without contact
  // data: the change feed is never purged). ALREADY_EXISTS naming
  // hearing_id on create.
  absl::StatusOr<v1::Hearing> WriteHearing(
      Transaction& tx, const std::string& municipality_code,
      v1::Hearing hearing, const std::set<std::string>& element_ids,
      const std::string& actor, const std::string& event_type, bool create);
  // Hearings of a municipality by id, after `after_id`, at most limit;
  // only of `policy` when set.
  absl::StatusOr<std::vector<v1::Hearing>> ListHearings(
      Transaction& tx, const std::string& municipality_code,
      const std::string& policy, const std::string& after_id, int limit);

  absl::StatusOr<StoredResponse> LoadResponse(Transaction& tx,
                                              const std::string& name,
                                              absl::string_view field);
  // Responses of a hearing in the order received, after seq `after`.
  absl::StatusOr<std::vector<StoredResponse>> ListResponses(
      Transaction& tx, const std::string& hearing_name, int64_t after,
      int limit);
  // The name of `party_id`'s standing (submitted) response, if any.
  absl::StatusOr<std::optional<std::string>> FindPartyResponse(
      Transaction& tx, const std::string& hearing_name,
      const std::string& party_id);
  // The next response number of a hearing (call under Lock).
  absl::StatusOr<int64_t> NextResponseSeq(Transaction& tx,
                                          const std::string& hearing_name);
  // Inserts or replaces a response, setting its etag, and appends
  // `event_type` with the response. The change feed is never purged, so
  // the event's responder holds only the anonymous and consent flags.
  absl::StatusOr<v1::Response> WriteResponse(
      Transaction& tx, const std::string& municipality_code,
      const std::string& hearing_name, int64_t seq, v1::Response response,
      const std::string& actor, const std::string& event_type, bool create);

  // Serializes the hearings of one policy ("municipalities/101/policies/x",
  // without "@rev") with the treatment half's adoption of it, until the
  // transaction ends. The treatment half takes the same lock
  // ("policy-hearings:" + policy) when it records an adoption.
  absl::Status LockPolicy(Transaction& tx, const std::string& policy);
  // A treatment case of `policy` whose adoption is pending or done, as
  // "municipalities/{code}/treatmentCases/{id}"; empty when there is none.
  absl::StatusOr<std::string> AdoptingCase(Transaction& tx,
                                           const std::string& policy);

  // Request ids are scoped by `scope`, the method and its parent
  // ("SubmitResponse|municipalities/190/hearings/h"), so that the same id
  // sent to another method or hearing is another request. Call only once
  // the caller is authorised to make the request: the answer may hold
  // data only such callers see.
  //
  // Fills `out` with the stored answer to an earlier request with this id
  // and returns true, or false for a new (or empty) id. INVALID_ARGUMENT
  // naming request_id when the id came with another request.
  absl::StatusOr<bool> Replay(Transaction& tx,
                              const std::string& municipality_code,
                              const std::string& scope,
                              const std::string& request_id,
                              const std::string& fingerprint,
                              google::protobuf::Message* out);
  absl::Status SaveAnswer(Transaction& tx, const std::string& municipality_code,
                          const std::string& scope,
                          const std::string& request_id,
                          const std::string& fingerprint,
                          const std::string& resource,
                          const google::protobuf::Message& answer);
  // Replaces stored answers about `resource` (after a purge).
  absl::Status ReplaceAnswers(Transaction& tx, const std::string& resource,
                              const google::protobuf::Message& answer);

 private:
  RequestLog requests_{"hearing_requests", "municipality", "resource"};
  Database* db_;
  EventLog* events_;
};

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_HEARING_STORE_H_
