#include "services/hearing/hearing_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "kommune/hearing/v1/treatment.pb.h"
#include "services/common/fingerprint.h"

namespace kommune::hearing {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp Now() {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
}

absl::Status Corrupt(absl::string_view what, absl::string_view name) {
  return absl::DataLossError(
      absl::StrCat("the stored ", what, " '", name, "' cannot be read"));
}

}  // namespace

absl::Status HearingStore::Lock(Transaction& tx,
                                const std::string& hearing_name) {
  return tx.Lock(absl::StrCat("hearing:", hearing_name));
}

absl::StatusOr<StoredHearing> HearingStore::LoadHearing(
    Transaction& tx, const std::string& name, absl::string_view field) {
  auto rows = tx.Query(
      "SELECT municipality, element_ids, snapshot FROM hearings WHERE name = ?",
      {name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(
        absl::StrCat(field, ": no hearing named '", name, "'"));
  }
  StoredHearing out;
  out.municipality_code = (*rows)[0].Text(0);
  for (absl::string_view id :
       absl::StrSplit((*rows)[0].Text(1), '\n', absl::SkipEmpty())) {
    out.element_ids.emplace(id);
  }
  if (!out.hearing.ParseFromString((*rows)[0].Text(2))) {
    return Corrupt("hearing", name);
  }
  return out;
}

absl::StatusOr<v1::Hearing> HearingStore::WriteHearing(
    Transaction& tx, const std::string& municipality_code, v1::Hearing hearing,
    const std::set<std::string>& element_ids, const std::string& actor,
    const std::string& event_type, bool create) {
  google::protobuf::Timestamp now = Now();
  if (create) *hearing.mutable_create_time() = now;
  *hearing.mutable_update_time() = now;
  hearing.set_etag(ComputeEtag(hearing));
  // The policy without "@revision" (substr to npos keeps it whole).
  std::string policy =
      hearing.policy_revision().substr(0, hearing.policy_revision().find('@'));
  std::string id = hearing.name().substr(hearing.name().rfind('/') + 1);
  absl::Status s;
  if (create) {
    s = tx.Execute(
        "INSERT INTO hearings (name, municipality, hearing_id, policy, "
        "policy_revision, state, kind, element_ids, snapshot) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {hearing.name(), municipality_code, id, policy,
         hearing.policy_revision(), static_cast<int64_t>(hearing.state()),
         static_cast<int64_t>(hearing.kind()), absl::StrJoin(element_ids, "\n"),
         Blob{hearing.SerializeAsString()}});
    if (absl::IsAlreadyExists(s)) {
      return absl::AlreadyExistsError(
          absl::StrCat("hearing_id: '", id, "' already exists in municipality ",
                       municipality_code));
    }
  } else {
    s = tx.Execute(
        "UPDATE hearings SET state = ?, kind = ?, snapshot = ? WHERE name = ?",
        {static_cast<int64_t>(hearing.state()),
         static_cast<int64_t>(hearing.kind()),
         Blob{hearing.SerializeAsString()}, hearing.name()});
  }
  if (!s.ok()) return s;
  // The change feed is never purged: parties' contact data stays out of it.
  v1::Hearing payload = hearing;
  for (v1::Party& p : *payload.mutable_parties()) p.clear_contact();
  auto event = events_->Append(
      tx, {municipality_code, event_type, hearing.name(), actor, &payload});
  if (!event.ok()) return event.status();
  return hearing;
}

absl::StatusOr<std::vector<v1::Hearing>> HearingStore::ListHearings(
    Transaction& tx, const std::string& municipality_code,
    const std::string& policy, const std::string& after_id, int limit) {
  std::string sql =
      "SELECT name, snapshot FROM hearings WHERE municipality = ? AND "
      "hearing_id > ?";
  Params params = {municipality_code, after_id};
  if (!policy.empty()) {
    absl::StrAppend(&sql, " AND policy = ?");
    params.push_back(policy);
  }
  absl::StrAppend(&sql, " ORDER BY hearing_id LIMIT ?");
  params.push_back(static_cast<int64_t>(limit));
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<v1::Hearing> out;
  for (const Row& r : *rows) {
    out.emplace_back();
    if (!out.back().ParseFromString(r.Text(1))) {
      return Corrupt("hearing", r.Text(0));
    }
  }
  return out;
}

absl::StatusOr<StoredResponse> HearingStore::LoadResponse(
    Transaction& tx, const std::string& name, absl::string_view field) {
  auto rows = tx.Query(
      "SELECT seq, snapshot FROM hearing_responses WHERE name = ?", {name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(
        absl::StrCat(field, ": no response named '", name, "'"));
  }
  StoredResponse out;
  out.seq = (*rows)[0].Int(0);
  if (!out.response.ParseFromString((*rows)[0].Text(1))) {
    return Corrupt("response", name);
  }
  return out;
}

absl::StatusOr<std::vector<StoredResponse>> HearingStore::ListResponses(
    Transaction& tx, const std::string& hearing_name, int64_t after,
    int limit) {
  auto rows = tx.Query(
      "SELECT seq, snapshot, name FROM hearing_responses WHERE hearing = ? "
      "AND seq > ? ORDER BY seq LIMIT ?",
      {hearing_name, after, static_cast<int64_t>(limit)});
  if (!rows.ok()) return rows.status();
  std::vector<StoredResponse> out;
  for (const Row& r : *rows) {
    out.emplace_back();
    out.back().seq = r.Int(0);
    if (!out.back().response.ParseFromString(r.Text(1))) {
      return Corrupt("response", r.Text(2));
    }
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> HearingStore::FindPartyResponse(
    Transaction& tx, const std::string& hearing_name,
    const std::string& party_id) {
  auto rows = tx.Query(
      "SELECT name FROM hearing_responses WHERE hearing = ? AND party_id = ? "
      "AND state = ? LIMIT 1",
      {hearing_name, party_id,
       static_cast<int64_t>(v1::RESPONSE_STATE_SUBMITTED)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>((*rows)[0].Text(0));
}

absl::StatusOr<int64_t> HearingStore::NextResponseSeq(
    Transaction& tx, const std::string& hearing_name) {
  auto rows = tx.Query(
      "SELECT COALESCE(MAX(seq), 0) FROM hearing_responses WHERE hearing = ?",
      {hearing_name});
  if (!rows.ok()) return rows.status();
  return (*rows)[0].Int(0) + 1;
}

absl::StatusOr<v1::Response> HearingStore::WriteResponse(
    Transaction& tx, const std::string& municipality_code,
    const std::string& hearing_name, int64_t seq, v1::Response response,
    const std::string& actor, const std::string& event_type, bool create) {
  response.set_etag(ComputeEtag(response));
  absl::Status s =
      create
          ? tx.Execute(
                "INSERT INTO hearing_responses (name, hearing, seq, party_id, "
                "state, snapshot) VALUES (?, ?, ?, ?, ?, ?)",
                {response.name(), hearing_name, seq, response.party_id(),
                 static_cast<int64_t>(response.state()),
                 Blob{response.SerializeAsString()}})
          : tx.Execute(
                "UPDATE hearing_responses SET state = ?, snapshot = ? WHERE "
                "name = ?",
                {static_cast<int64_t>(response.state()),
                 Blob{response.SerializeAsString()}, response.name()});
  if (!s.ok()) return s;
  // The change feed is never purged, so no personal data of the responder
  // goes into it: only whether they asked to be anonymous and consented.
  v1::Response payload = response;
  v1::Responder who;
  who.set_anonymous(response.responder().anonymous());
  who.set_consent(response.responder().consent());
  *payload.mutable_responder() = who;
  auto event = events_->Append(
      tx, {municipality_code, event_type, response.name(), actor, &payload});
  if (!event.ok()) return event.status();
  return response;
}

absl::Status HearingStore::LockPolicy(Transaction& tx,
                                      const std::string& policy) {
  return tx.Lock(absl::StrCat("policy-hearings:", policy));
}

absl::StatusOr<std::string> HearingStore::AdoptingCase(
    Transaction& tx, const std::string& policy) {
  auto rows = tx.Query(
      "SELECT municipality_code, case_id FROM treatment_cases WHERE "
      "policy = ? AND (adoption_pending = 1 OR state = ?) ORDER BY "
      "municipality_code, case_id LIMIT 1",
      {policy, static_cast<int64_t>(v1::CASE_STATE_ADOPTED)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::string();
  return absl::StrCat("municipalities/", (*rows)[0].Text(0), "/treatmentCases/",
                      (*rows)[0].Text(1));
}

namespace {

// The stored key of a request id: "SubmitResponse|<hearing>|<request_id>";
// empty (nothing to replay or store) without a request id.
std::string RequestKey(const std::string& scope,
                       const std::string& request_id) {
  if (request_id.empty()) return "";
  return absl::StrCat(scope, "|", request_id);
}

}  // namespace

absl::StatusOr<bool> HearingStore::Replay(Transaction& tx,
                                          const std::string& municipality_code,
                                          const std::string& scope,
                                          const std::string& request_id,
                                          const std::string& fingerprint,
                                          google::protobuf::Message* out) {
  return requests_.Replay(tx, municipality_code, RequestKey(scope, request_id),
                          fingerprint, out, request_id);
}

absl::Status HearingStore::SaveAnswer(Transaction& tx,
                                      const std::string& municipality_code,
                                      const std::string& scope,
                                      const std::string& request_id,
                                      const std::string& fingerprint,
                                      const std::string& resource,
                                      const google::protobuf::Message& answer) {
  return requests_.Save(tx, municipality_code, RequestKey(scope, request_id),
                        fingerprint, answer, resource);
}

absl::Status HearingStore::ReplaceAnswers(
    Transaction& tx, const std::string& resource,
    const google::protobuf::Message& answer) {
  return tx.Execute(
      "UPDATE hearing_requests SET response = ? WHERE resource = ?",
      {Blob{answer.SerializeAsString()}, resource});
}

}  // namespace kommune::hearing
