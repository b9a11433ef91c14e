#include "services/hearing/treatment_store.h"

#include "absl/strings/str_cat.h"
#include "services/common/fingerprint.h"

namespace kommune::hearing {
namespace {

// A weak etag from the content: any change of a stored field changes it.
template <typename Message>
std::string EtagOf(Message message) {
  message.clear_etag();
  return absl::StrCat("W/\"", Fingerprint(message).substr(0, 16), "\"");
}

}  // namespace

std::string TemplateName(const TreatmentKey& key) {
  return absl::StrCat("municipalities/", key.municipality_code,
                      "/processTemplates/", key.id);
}

std::string CaseName(const TreatmentKey& key) {
  return absl::StrCat("municipalities/", key.municipality_code,
                      "/treatmentCases/", key.id);
}

absl::Status TreatmentStore::LockCase(Transaction& tx,
                                      const TreatmentKey& key) {
  return tx.Lock(absl::StrCat("treatment_case:", CaseName(key)));
}

absl::StatusOr<v1::ProcessTemplate> TreatmentStore::LoadTemplate(
    Transaction& tx, const TreatmentKey& key, absl::string_view field) {
  auto rows = tx.Query(
      "SELECT snapshot FROM process_templates WHERE municipality_code = ? AND "
      "template_id = ?",
      {key.municipality_code, key.id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(absl::StrCat(
        field, ": no process template named '", TemplateName(key), "'"));
  }
  v1::ProcessTemplate out;
  if (!out.ParseFromString((*rows)[0].Text(0))) {
    return absl::DataLossError(
        absl::StrCat("template ", TemplateName(key), " cannot be read"));
  }
  return out;
}

absl::Status TreatmentStore::SaveTemplate(Transaction& tx,
                                          const TreatmentKey& key,
                                          v1::ProcessTemplate* tmpl,
                                          bool create, const std::string& actor,
                                          const std::string& event_type) {
  tmpl->set_name(TemplateName(key));
  tmpl->set_etag(EtagOf(*tmpl));
  Blob snapshot{tmpl->SerializeAsString()};
  absl::Status s =
      create ? tx.Execute(
                   "INSERT INTO process_templates (municipality_code, "
                   "template_id, snapshot) VALUES (?, ?, ?)",
                   {key.municipality_code, key.id, snapshot})
             : tx.Execute(
                   "UPDATE process_templates SET snapshot = ? WHERE "
                   "municipality_code = ? AND template_id = ?",
                   {snapshot, key.municipality_code, key.id});
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "process_template_id: '", key.id, "' already exists in municipality ",
        key.municipality_code));
  }
  if (!s.ok()) return s;
  return events_
      ->Append(tx,
               {key.municipality_code, event_type, tmpl->name(), actor, tmpl})
      .status();
}

absl::Status TreatmentStore::DeleteTemplate(Transaction& tx,
                                            const TreatmentKey& key,
                                            const std::string& actor) {
  if (auto s = tx.Execute(
          "DELETE FROM process_templates WHERE municipality_code = ? AND "
          "template_id = ?",
          {key.municipality_code, key.id});
      !s.ok()) {
    return s;
  }
  return events_
      ->Append(tx, {key.municipality_code, "process_template.deleted",
                    TemplateName(key), actor, nullptr})
      .status();
}

absl::StatusOr<std::vector<v1::ProcessTemplate>> TreatmentStore::ListTemplates(
    Transaction& tx, const std::string& municipality_code,
    const std::string& after, int limit) {
  auto rows = tx.Query(
      "SELECT snapshot FROM process_templates WHERE municipality_code = ? AND "
      "template_id > ? ORDER BY template_id LIMIT ?",
      {municipality_code, after, static_cast<int64_t>(limit)});
  if (!rows.ok()) return rows.status();
  std::vector<v1::ProcessTemplate> out;
  for (const Row& r : *rows) {
    if (!out.emplace_back().ParseFromString(r.Text(0))) {
      return absl::DataLossError("a stored template cannot be read");
    }
  }
  return out;
}

absl::StatusOr<v1::TreatmentCase> TreatmentStore::LoadCase(
    Transaction& tx, const TreatmentKey& key, absl::string_view field) {
  auto rows = tx.Query(
      "SELECT snapshot FROM treatment_cases WHERE municipality_code = ? AND "
      "case_id = ?",
      {key.municipality_code, key.id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(
        absl::StrCat(field, ": no treatment case named '", CaseName(key), "'"));
  }
  v1::TreatmentCase out;
  if (!out.ParseFromString((*rows)[0].Text(0))) {
    return absl::DataLossError(
        absl::StrCat("case ", CaseName(key), " cannot be read"));
  }
  return out;
}

absl::Status TreatmentStore::SaveCase(
    Transaction& tx, const TreatmentKey& key, v1::TreatmentCase* c, bool create,
    const std::string& actor, const std::vector<std::string>& event_types) {
  c->set_name(CaseName(key));
  c->set_etag(EtagOf(*c));
  Params values = {c->policy(),
                   static_cast<int64_t>(c->state()),
                   static_cast<int64_t>(c->adoption().pending() ? 1 : 0),
                   Blob{c->SerializeAsString()},
                   key.municipality_code,
                   key.id};
  absl::Status s =
      create ? tx.Execute(
                   "INSERT INTO treatment_cases (policy, state, "
                   "adoption_pending, snapshot, municipality_code, case_id) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   values)
             : tx.Execute(
                   "UPDATE treatment_cases SET policy = ?, state = ?, "
                   "adoption_pending = ?, snapshot = ? WHERE "
                   "municipality_code = ? AND case_id = ?",
                   values);
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "treatment_case_id: '", key.id, "' already exists in municipality ",
        key.municipality_code));
  }
  if (!s.ok()) return s;
  for (const std::string& type : event_types) {
    auto event =
        events_->Append(tx, {key.municipality_code, type, c->name(), actor, c});
    if (!event.ok()) return event.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::TreatmentCase>> TreatmentStore::ListCases(
    Transaction& tx, const std::string& municipality_code,
    const std::string& after, int limit) {
  auto rows = tx.Query(
      "SELECT snapshot FROM treatment_cases WHERE municipality_code = ? AND "
      "case_id > ? ORDER BY case_id LIMIT ?",
      {municipality_code, after, static_cast<int64_t>(limit)});
  if (!rows.ok()) return rows.status();
  std::vector<v1::TreatmentCase> out;
  for (const Row& r : *rows) {
    if (!out.emplace_back().ParseFromString(r.Text(0))) {
      return absl::DataLossError("a stored treatment case cannot be read");
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<TreatmentKey, int64_t>>>
TreatmentStore::CasesOfPolicy(Transaction& tx, const std::string& policy) {
  auto rows = tx.Query(
      "SELECT municipality_code, case_id, state FROM treatment_cases WHERE "
      "policy = ? ORDER BY municipality_code, case_id",
      {policy});
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<TreatmentKey, int64_t>> out;
  for (const Row& r : *rows) {
    out.push_back({TreatmentKey{r.Text(0), r.Text(1)}, r.Int(2)});
  }
  return out;
}

absl::StatusOr<std::vector<TreatmentKey>> TreatmentStore::PendingAdoptions(
    Transaction& tx) {
  auto rows = tx.Query(
      "SELECT municipality_code, case_id FROM treatment_cases WHERE "
      "adoption_pending = 1 ORDER BY municipality_code, case_id");
  if (!rows.ok()) return rows.status();
  std::vector<TreatmentKey> out;
  for (const Row& r : *rows) out.push_back({r.Text(0), r.Text(1)});
  return out;
}

absl::StatusOr<std::vector<HearingRow>> TreatmentStore::HearingsOfPolicy(
    Transaction& tx, const std::string& policy) {
  auto rows = tx.Query(
      "SELECT name, policy, state FROM hearings WHERE policy = ? ORDER BY "
      "name",
      {policy});
  if (!rows.ok()) return rows.status();
  std::vector<HearingRow> out;
  for (const Row& r : *rows) out.push_back({r.Text(0), r.Text(1), r.Int(2)});
  return out;
}

absl::StatusOr<std::optional<HearingRow>> TreatmentStore::FindHearing(
    Transaction& tx, const std::string& name) {
  auto rows = tx.Query(
      "SELECT name, policy, state FROM hearings WHERE name = ?", {name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<HearingRow>();
  const Row& r = (*rows)[0];
  return std::optional<HearingRow>(HearingRow{r.Text(0), r.Text(1), r.Int(2)});
}

absl::StatusOr<bool> TreatmentStore::Replay(
    Transaction& tx, const std::string& municipality_code,
    const std::string& request_id, const std::string& fingerprint,
    google::protobuf::Message* out) {
  return requests_.Replay(tx, municipality_code, request_id, fingerprint, out);
}

absl::Status TreatmentStore::SaveResponse(
    Transaction& tx, const std::string& municipality_code,
    const std::string& request_id, const std::string& fingerprint,
    const google::protobuf::Message& response) {
  return requests_.Save(tx, municipality_code, request_id, fingerprint,
                        response);
}

}  // namespace kommune::hearing
