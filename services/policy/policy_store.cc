#include "services/policy/policy_store.h"

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"

namespace kommune::policy {
namespace {

using google::protobuf::util::TimeUtil;

std::string CacheKey(const std::string& uid, int64_t revision) {
  return absl::StrCat(uid, "@", revision);
}

// 128 random bits in hex: unique without coordination between replicas.
std::string NewUid() {
  absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen),
                         absl::Uniform<uint64_t>(gen));
}

Params WithUid(Params params, const std::string& uid) {
  params.push_back(uid);
  return params;
}

}  // namespace

std::string PolicyKey::Name() const {
  return absl::StrCat("municipalities/", municipality_code, "/policies/",
                      policy_id);
}

std::string RevisionId(int64_t revision) { return absl::StrCat(revision); }

int64_t ParseRevisionId(absl::string_view id) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(id, &n) || n <= 0 || absl::StrCat(n) != id) return 0;
  return n;
}

absl::Status PolicyStore::LockPolicy(Transaction& tx, const PolicyKey& key) {
  return tx.Lock(absl::StrCat("policy:", key.Name()));
}

absl::StatusOr<PolicyRow> PolicyStore::FindRow(Transaction& tx,
                                               const PolicyKey& key,
                                               absl::string_view field) {
  auto rows = tx.Query(
      "SELECT state, current_revision, uid FROM policies "
      "WHERE municipality_code = ? AND policy_id = ?",
      {key.municipality_code, key.policy_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(
        absl::StrCat(field, ": no policy named '", key.Name(), "'"));
  }
  return PolicyRow{key, (*rows)[0].Text(2),
                   static_cast<v1::PolicyState>((*rows)[0].Int(0)),
                   (*rows)[0].Int(1)};
}

absl::StatusOr<std::shared_ptr<const CachedRevision>> PolicyStore::LoadRevision(
    Transaction& tx, const PolicyKey& key, int64_t revision,
    absl::string_view field) {
  absl::StatusOr<PolicyRow> row = FindRow(tx, key, field);
  if (!row.ok()) return row.status();
  if (revision == 0) revision = row->current_revision;
  std::string cache_key = CacheKey(row->uid, revision);
  if (auto hit = cache_.Find(cache_key)) return hit;
  auto rows = tx.Query(
      "SELECT snapshot FROM policy_revisions WHERE municipality_code = ? AND "
      "policy_id = ? AND revision = ?",
      {key.municipality_code, key.policy_id, revision});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(
        absl::StrCat(field, ": '", key.Name(), "' has no revision ", revision));
  }
  auto entry = std::make_shared<CachedRevision>();
  entry->bytes = (*rows)[0].Text(0);
  if (!entry->policy.ParseFromString(entry->bytes)) {
    return absl::DataLossError(absl::StrCat("revision ", revision, " of ",
                                            key.Name(), " cannot be read"));
  }
  cache_.Insert(cache_key, entry);
  return std::shared_ptr<const CachedRevision>(std::move(entry));
}

absl::StatusOr<std::shared_ptr<const v1::Policy>> PolicyStore::Load(
    Transaction& tx, const PolicyKey& key, int64_t revision,
    absl::string_view field) {
  auto entry = LoadRevision(tx, key, revision, field);
  if (!entry.ok()) return entry.status();
  // Aliasing pointer: shares ownership of the cache entry.
  return std::shared_ptr<const v1::Policy>(*entry, &(*entry)->policy);
}

absl::StatusOr<v1::Policy> PolicyStore::WriteRevision(
    Transaction& tx, const PolicyKey& key, v1::Policy policy,
    const std::string& actor, const std::string& event_type, bool create) {
  policy.set_name(key.Name());
  int64_t revision = 1;
  std::string uid;
  google::protobuf::Timestamp now =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
  if (create) {
    *policy.mutable_create_time() = now;
    uid = NewUid();
  } else {
    absl::StatusOr<PolicyRow> row = FindRow(tx, key, "name");
    if (!row.ok()) return row.status();
    revision = row->current_revision + 1;
    uid = row->uid;
  }
  policy.set_uid(uid);
  policy.set_revision_id(RevisionId(revision));
  *policy.mutable_revision_create_time() = now;
  *policy.mutable_update_time() = now;
  // The etag names the policy and revision: any change, content or state,
  // makes a new revision, and a re-created draft has a new uid.
  policy.set_etag(absl::StrCat("W/\"", uid.substr(0, 8), ".", revision, "\""));

  const auto& period = policy.period();
  Params row_values = {static_cast<int64_t>(policy.state()),
                       policy.display_name(),
                       static_cast<int64_t>(period.start_date().year()),
                       static_cast<int64_t>(period.end_date().year()),
                       revision,
                       policy.supersedes(),
                       key.municipality_code,
                       key.policy_id};
  absl::Status s =
      create ? tx.Execute(
                   "INSERT INTO policies (state, display_name, "
                   "period_start_year, period_end_year, current_revision, "
                   "supersedes, municipality_code, policy_id, uid) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   WithUid(row_values, uid))
             : tx.Execute(
                   "UPDATE policies SET state = ?, display_name = ?, "
                   "period_start_year = ?, period_end_year = ?, "
                   "current_revision = ?, supersedes = ? "
                   "WHERE municipality_code = ? AND policy_id = ?",
                   row_values);
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "policy_id: '", key.policy_id, "' already exists in municipality ",
        key.municipality_code));
  }
  if (!s.ok()) return s;
  if (auto s = tx.Execute(
          "INSERT INTO policy_revisions (municipality_code, policy_id, "
          "revision, actor, snapshot) VALUES (?, ?, ?, ?, ?)",
          {key.municipality_code, key.policy_id, revision, actor,
           Blob{policy.SerializeAsString()}});
      !s.ok()) {
    return s;
  }
  auto event = events_->Append(
      tx, {key.municipality_code, event_type, policy.name(), actor, &policy});
  if (!event.ok()) return event.status();
  return policy;
}

absl::Status PolicyStore::Delete(Transaction& tx, const PolicyKey& key,
                                 const std::string& actor) {
  for (const char* table : {"policy_revisions", "policies"}) {
    if (auto s = tx.Execute(absl::StrCat("DELETE FROM ", table,
                                         " WHERE municipality_code = ? AND "
                                         "policy_id = ?"),
                            {key.municipality_code, key.policy_id});
        !s.ok()) {
      return s;
    }
  }
  return events_
      ->Append(tx, {key.municipality_code, "policy.deleted", key.Name(), actor,
                    nullptr})
      .status();
}

absl::StatusOr<std::vector<std::string>> PolicyStore::OpenRevisionsOf(
    Transaction& tx, const std::string& name) {
  auto rows = tx.Query(
      "SELECT municipality_code, policy_id FROM policies WHERE supersedes = ? "
      "AND state IN (?, ?)",
      {name, static_cast<int64_t>(v1::POLICY_STATE_DRAFT),
       static_cast<int64_t>(v1::POLICY_STATE_IN_HEARING)});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> names;
  for (const Row& r : *rows) {
    names.push_back(PolicyKey{r.Text(0), r.Text(1)}.Name());
  }
  return names;
}

absl::StatusOr<std::vector<PolicyRow>> PolicyStore::List(
    Transaction& tx, const ListQuery& query) {
  std::string sql =
      "SELECT municipality_code, policy_id, state, current_revision, uid "
      "FROM policies WHERE 1 = 1";
  Params params;
  auto in = [&](absl::string_view column, size_t n) {
    std::vector<std::string> marks(n, "?");
    absl::StrAppend(&sql, " AND ", column, " IN (", absl::StrJoin(marks, ","),
                    ")");
  };
  if (!query.municipality_codes.empty()) {
    in("municipality_code", query.municipality_codes.size());
    for (const auto& c : query.municipality_codes) params.push_back(c);
  }
  if (!query.states.empty()) {
    in("state", query.states.size());
    for (auto s : query.states) params.push_back(static_cast<int64_t>(s));
  }
  if (query.period_year != 0) {
    // A policy without an end year is in force until further notice.
    absl::StrAppend(&sql,
                    " AND period_start_year <> 0 AND period_start_year <= ? "
                    "AND (period_end_year = 0 OR period_end_year >= ?)");
    params.push_back(static_cast<int64_t>(query.period_year));
    params.push_back(static_cast<int64_t>(query.period_year));
  }
  if (query.after) {
    absl::StrAppend(&sql,
                    " AND (municipality_code > ? OR (municipality_code = ? "
                    "AND policy_id > ?))");
    params.push_back(query.after->municipality_code);
    params.push_back(query.after->municipality_code);
    params.push_back(query.after->policy_id);
  }
  absl::StrAppend(&sql, " ORDER BY municipality_code, policy_id LIMIT ?");
  params.push_back(static_cast<int64_t>(query.limit));
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<PolicyRow> out;
  for (const Row& r : *rows) {
    out.push_back({{r.Text(0), r.Text(1)},
                   r.Text(4),
                   static_cast<v1::PolicyState>(r.Int(2)),
                   r.Int(3)});
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> PolicyStore::ListRevisions(
    Transaction& tx, const PolicyKey& key, int64_t before, int limit) {
  auto rows = tx.Query(
      "SELECT revision FROM policy_revisions WHERE municipality_code = ? AND "
      "policy_id = ? AND revision < ? ORDER BY revision DESC LIMIT ?",
      {key.municipality_code, key.policy_id, before == 0 ? INT64_MAX : before,
       static_cast<int64_t>(limit)});
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> out;
  for (const Row& r : *rows) out.push_back(r.Int(0));
  return out;
}

absl::StatusOr<bool> PolicyStore::Replay(Transaction& tx,
                                         const std::string& municipality_code,
                                         const std::string& request_id,
                                         const std::string& fingerprint,
                                         google::protobuf::Message* out) {
  return requests_.Replay(tx, municipality_code, request_id, fingerprint, out);
}

absl::Status PolicyStore::SaveResponse(
    Transaction& tx, const std::string& municipality_code,
    const std::string& request_id, const std::string& fingerprint,
    const google::protobuf::Message& response) {
  return requests_.Save(tx, municipality_code, request_id, fingerprint,
                        response);
}

}  // namespace kommune::policy
