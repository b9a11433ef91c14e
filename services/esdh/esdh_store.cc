#include "services/esdh/esdh_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace kommune::esdh {
namespace {

constexpr char kColumns[] = "seq, snapshot";

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

google::protobuf::Timestamp Timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return ts;
}

absl::StatusOr<v1::Delivery> Parse(const Row& row, size_t column) {
  v1::Delivery d;
  if (!d.ParseFromString(row.Text(column))) {
    return absl::DataLossError("a stored delivery is damaged");
  }
  return d;
}

std::string CaseKey(const std::string& municipality,
                    const v1::JournalRecord& record) {
  return absl::StrCat(municipality, "|", record.esdh_case().case_number());
}

}  // namespace

std::string DeliveryName(const std::string& municipality,
                         const std::string& idempotency_key) {
  std::string id;
  for (char c : idempotency_key) {
    id += absl::ascii_isalnum(static_cast<unsigned char>(c))
              ? absl::ascii_tolower(static_cast<unsigned char>(c))
              : '-';
  }
  return absl::StrCat("municipalities/", municipality, "/deliveries/", id);
}

absl::StatusOr<int64_t> EsdhStore::Cursor(Transaction& tx,
                                          const std::string& feed) {
  auto rows =
      tx.Query("SELECT sequence FROM feed_cursors WHERE feed = ?", {feed});
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : (*rows)[0].Int(0);
}

absl::Status EsdhStore::SetCursor(Transaction& tx, const std::string& feed,
                                  int64_t sequence) {
  return tx.Execute(
      "INSERT INTO feed_cursors (feed, sequence) VALUES (?, ?) ON CONFLICT "
      "(feed) DO UPDATE SET sequence = excluded.sequence",
      {feed, sequence});
}

absl::StatusOr<bool> EsdhStore::Enqueue(Transaction& tx,
                                        const std::string& municipality,
                                        const v1::JournalRecord& record,
                                        absl::Time now,
                                        const std::string& park_reason) {
  auto existing = tx.Query("SELECT 1 FROM deliveries WHERE idempotency_key = ?",
                           {record.idempotency_key()});
  if (!existing.ok()) return existing.status();
  if (!existing->empty()) return false;
  // seq: the next number, under the writers' lock, so cases keep order.
  if (auto s = tx.Lock("esdh-deliveries"); !s.ok()) return s;
  auto next = tx.Query("SELECT COALESCE(MAX(seq), 0) + 1 FROM deliveries");
  if (!next.ok()) return next.status();
  int64_t seq = (*next)[0].Int(0);
  v1::Delivery d;
  d.set_name(DeliveryName(municipality, record.idempotency_key()));
  *d.mutable_record() = record;
  d.mutable_record()->set_name(d.name());
  d.set_state(park_reason.empty() ? v1::DELIVERY_STATE_PENDING
                                  : v1::DELIVERY_STATE_PARKED);
  d.set_last_error(park_reason);
  *d.mutable_create_time() = Timestamp(now);
  *d.mutable_next_attempt_time() = Timestamp(now);
  auto s = tx.Execute(
      "INSERT INTO deliveries (seq, name, municipality, case_key, "
      "idempotency_key, state, attempts, next_attempt, last_error, resource, "
      "document_number, snapshot) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, '', "
      "?)",
      {seq, d.name(), municipality, CaseKey(municipality, record),
       record.idempotency_key(), int64_t{d.state()}, Micros(now), park_reason,
       record.origin().resource(), Blob{d.SerializeAsString()}});
  if (!s.ok()) return s;
  return true;
}

absl::Status EsdhStore::IndexMember(Transaction& tx, const CaseMemberRow& r) {
  return tx.Execute(
      "INSERT INTO case_members (municipality, case_number, resource, "
      "service, kind, title) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
      "(municipality, case_number, resource) DO UPDATE SET title = "
      "excluded.title",
      {r.municipality, r.case_number, r.resource, r.service, r.kind, r.title});
}

absl::StatusOr<std::vector<v1::Delivery>> EsdhStore::DueHeads(Transaction& tx,
                                                              absl::Time now,
                                                              int limit) {
  auto rows = tx.Query(
      absl::StrCat(
          "SELECT ", kColumns,
          " FROM deliveries d WHERE d.state = ? AND d.next_attempt <= ? AND "
          "NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.case_key = "
          "d.case_key AND e.seq < d.seq AND e.state IN (?, ?)) ORDER BY "
          "d.seq LIMIT ?"),
      {int64_t{v1::DELIVERY_STATE_PENDING}, Micros(now),
       int64_t{v1::DELIVERY_STATE_PENDING}, int64_t{v1::DELIVERY_STATE_PARKED},
       int64_t{limit}});
  if (!rows.ok()) return rows.status();
  std::vector<v1::Delivery> out;
  for (const Row& r : *rows) {
    auto d = Parse(r, 1);
    if (!d.ok()) return d.status();
    out.push_back(*std::move(d));
  }
  return out;
}

absl::StatusOr<std::optional<v1::Delivery>> EsdhStore::Get(
    Transaction& tx, const std::string& name) {
  auto rows = tx.Query(
      absl::StrCat("SELECT ", kColumns, " FROM deliveries WHERE name = ?"),
      {name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::Delivery>();
  auto d = Parse((*rows)[0], 1);
  if (!d.ok()) return d.status();
  return std::optional<v1::Delivery>(*std::move(d));
}

absl::Status EsdhStore::Update(Transaction& tx, const v1::Delivery& d) {
  int64_t next = d.next_attempt_time().seconds() * 1000000 +
                 d.next_attempt_time().nanos() / 1000;
  return tx.Execute(
      "UPDATE deliveries SET state = ?, attempts = ?, next_attempt = ?, "
      "last_error = ?, document_number = ?, snapshot = ? WHERE name = ?",
      {int64_t{d.state()}, int64_t{d.attempts()}, next, d.last_error(),
       d.record().document().document_number(), Blob{d.SerializeAsString()},
       d.name()});
}

absl::StatusOr<std::vector<std::pair<int64_t, v1::Delivery>>> EsdhStore::List(
    Transaction& tx, const std::string& municipality, v1::DeliveryState state,
    int64_t before_seq, int limit) {
  Params params = {municipality,
                   before_seq > 0 ? before_seq : int64_t{1} << 62};
  std::string filter;
  if (state != v1::DELIVERY_STATE_UNSPECIFIED) {
    filter = "AND state = ? ";
    params.push_back(int64_t{state});
  }
  params.push_back(int64_t{limit});
  auto rows = tx.Query(
      absl::StrCat("SELECT ", kColumns,
                   " FROM deliveries WHERE municipality = ? AND seq < ? ",
                   filter, "ORDER BY seq DESC LIMIT ?"),
      params);
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<int64_t, v1::Delivery>> out;
  for (const Row& r : *rows) {
    auto d = Parse(r, 1);
    if (!d.ok()) return d.status();
    out.emplace_back(r.Int(0), *std::move(d));
  }
  return out;
}

absl::StatusOr<std::vector<CaseMemberRow>> EsdhStore::CaseMembers(
    Transaction& tx, const std::string& municipality,
    const std::string& case_number) {
  auto rows = tx.Query(
      "SELECT municipality, case_number, resource, service, kind, title FROM "
      "case_members WHERE municipality = ? AND case_number = ? ORDER BY "
      "resource",
      {municipality, case_number});
  if (!rows.ok()) return rows.status();
  std::vector<CaseMemberRow> out;
  for (const Row& r : *rows) {
    out.push_back(
        {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> EsdhStore::DocumentNumbers(
    Transaction& tx, const std::string& resource) {
  auto rows = tx.Query(
      "SELECT document_number FROM deliveries WHERE resource = ? AND "
      "document_number <> '' ORDER BY seq",
      {resource});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const Row& r : *rows) out.push_back(r.Text(0));
  return out;
}

}  // namespace kommune::esdh
