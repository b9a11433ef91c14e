#include "services/followup/followup_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kommune::followup {
namespace {

template <typename Message>
absl::StatusOr<Message> Parse(const Row& row, size_t column,
                              absl::string_view what) {
  Message m;
  if (!m.ParseFromString(row.Text(column))) {
    return absl::DataLossError(absl::StrCat("a stored ", what, " is damaged"));
  }
  return m;
}

template <typename Message>
absl::StatusOr<std::optional<Message>> ParseOne(
    absl::StatusOr<std::vector<Row>> rows, absl::string_view what) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Message>();
  absl::StatusOr<Message> m = Parse<Message>((*rows)[0], 0, what);
  if (!m.ok()) return m.status();
  return std::optional<Message>(*std::move(m));
}

template <typename Message>
absl::StatusOr<std::vector<Message>> ParseAll(
    absl::StatusOr<std::vector<Row>> rows, absl::string_view what) {
  if (!rows.ok()) return rows.status();
  std::vector<Message> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    absl::StatusOr<Message> m = Parse<Message>(r, 0, what);
    if (!m.ok()) return m.status();
    out.push_back(*std::move(m));
  }
  return out;
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return ts;
}

constexpr char kMeasurementColumns[] =
    "indicator, period, series, version, period_index, value, "
    "assessed_status, source, note, entered_by, create_time, supersede_time";

StoredMeasurement ToMeasurement(const Row& r) {
  StoredMeasurement m;
  m.indicator = r.Text(0);
  m.period_index = r.Int(4);
  v1::Measurement& out = m.measurement;
  out.set_period(r.Text(1));
  out.set_series(static_cast<v1::Series>(r.Int(2)));
  out.set_version(static_cast<int32_t>(r.Int(3)));
  out.set_value(r.Double(5));
  auto status = static_cast<v1::Status>(r.Int(6));
  out.set_source(r.Text(7));
  out.set_note(r.Text(8));
  if (status != v1::STATUS_UNSPECIFIED) {
    out.mutable_assessment()->set_status(status);
    out.mutable_assessment()->set_note(out.note());
  }
  out.set_entered_by(r.Text(9));
  *out.mutable_create_time() = ToTimestamp(r.Int(10));
  if (!r.IsNull(11)) *out.mutable_supersede_time() = ToTimestamp(r.Int(11));
  out.set_name(absl::StrCat(
      m.indicator, "/measurements/", out.period(), "-",
      out.series() == v1::SERIES_REFERENCE_GROUP ? "reference-group"
                                                 : "target-group",
      r.IsNull(11) ? "" : absl::StrCat("@", out.version())));
  return m;
}

// Placeholders for an IN list.
std::string InList(size_t n) {
  std::vector<absl::string_view> marks(n, "?");
  return absl::StrCat("(", absl::StrJoin(marks, ","), ")");
}

}  // namespace

absl::Status FollowUpStore::InsertIndicator(Transaction& tx,
                                            const std::string& municipality,
                                            const std::string& indicator_id,
                                            const v1::Indicator& indicator) {
  absl::Status s = tx.Execute(
      "INSERT INTO indicators (name, municipality, indicator_id, catalogue, "
      "snapshot) VALUES (?, ?, ?, ?, ?)",
      {indicator.name(), municipality, indicator_id,
       indicator.catalogue_indicator_name(),
       Blob{indicator.SerializeAsString()}});
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(
        absl::StrCat("indicator_id: ", indicator.name(), " already exists"));
  }
  if (!s.ok()) return s;
  for (const v1::CriterionReference& c : indicator.criteria()) {
    s = tx.Execute(
        "INSERT INTO indicator_policies (policy, indicator) VALUES (?, ?) "
        "ON CONFLICT DO NOTHING",
        {c.policy_name(), indicator.name()});
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status FollowUpStore::UpdateIndicator(Transaction& tx,
                                            const v1::Indicator& indicator) {
  if (auto s = tx.Execute(
          "UPDATE indicators SET catalogue = ?, snapshot = ? WHERE name = ?",
          {indicator.catalogue_indicator_name(),
           Blob{indicator.SerializeAsString()}, indicator.name()});
      !s.ok()) {
    return s;
  }
  if (auto s = tx.Execute("DELETE FROM indicator_policies WHERE indicator = ?",
                          {indicator.name()});
      !s.ok()) {
    return s;
  }
  for (const v1::CriterionReference& c : indicator.criteria()) {
    if (auto s = tx.Execute(
            "INSERT INTO indicator_policies (policy, indicator) VALUES (?, ?) "
            "ON CONFLICT DO NOTHING",
            {c.policy_name(), indicator.name()});
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status FollowUpStore::DeleteIndicator(Transaction& tx,
                                            const std::string& name) {
  for (const char* sql : {"DELETE FROM indicator_policies WHERE indicator = ?",
                          "DELETE FROM indicator_statuses WHERE indicator = ?",
                          "DELETE FROM indicators WHERE name = ?"}) {
    if (auto s = tx.Execute(sql, {name}); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Indicator>> FollowUpStore::GetIndicator(
    Transaction& tx, const std::string& name) {
  return ParseOne<v1::Indicator>(
      tx.Query("SELECT snapshot FROM indicators WHERE name = ?", {name}),
      "indicator");
}

absl::StatusOr<std::vector<v1::Indicator>> FollowUpStore::ListIndicators(
    Transaction& tx, const std::string& municipality, const std::string& policy,
    const std::string& after_id, int limit) {
  if (policy.empty()) {
    return ParseAll<v1::Indicator>(
        tx.Query("SELECT snapshot FROM indicators WHERE municipality = ? AND "
                 "indicator_id > ? ORDER BY indicator_id LIMIT ?",
                 {municipality, after_id, int64_t{limit}}),
        "indicator");
  }
  return ParseAll<v1::Indicator>(
      tx.Query("SELECT i.snapshot FROM indicators i JOIN indicator_policies p "
               "ON p.indicator = i.name WHERE i.municipality = ? AND "
               "p.policy = ? AND i.indicator_id > ? ORDER BY i.indicator_id "
               "LIMIT ?",
               {municipality, policy, after_id, int64_t{limit}}),
      "indicator");
}

absl::StatusOr<std::vector<v1::Indicator>> FollowUpStore::AllIndicators(
    Transaction& tx, const std::string& municipality,
    const std::string& policy) {
  if (policy.empty()) {
    return ParseAll<v1::Indicator>(
        tx.Query("SELECT snapshot FROM indicators WHERE municipality = ? "
                 "ORDER BY name",
                 {municipality}),
        "indicator");
  }
  return ParseAll<v1::Indicator>(
      tx.Query("SELECT i.snapshot FROM indicators i JOIN indicator_policies p "
               "ON p.indicator = i.name WHERE p.policy = ? ORDER BY i.name",
               {policy}),
      "indicator");
}

absl::StatusOr<std::vector<std::string>> FollowUpStore::Municipalities(
    Transaction& tx) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT DISTINCT municipality FROM indicators ORDER BY municipality");
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const Row& r : *rows) out.push_back(r.Text(0));
  return out;
}

absl::StatusOr<std::vector<v1::Indicator>> FollowUpStore::CatalogueMembers(
    Transaction& tx, const std::string& catalogue) {
  return ParseAll<v1::Indicator>(
      tx.Query("SELECT snapshot FROM indicators WHERE catalogue = ? "
               "ORDER BY municipality, name",
               {catalogue}),
      "indicator");
}

absl::StatusOr<std::map<std::pair<std::string, SeriesKey>, int>>
FollowUpStore::CurrentVersions(Transaction& tx,
                               const std::vector<std::string>& indicators) {
  std::map<std::pair<std::string, SeriesKey>, int> out;
  // Bounded IN lists keep each statement cacheable and under engine limits.
  constexpr size_t kChunk = 50;
  for (size_t i = 0; i < indicators.size(); i += kChunk) {
    size_t n = std::min(kChunk, indicators.size() - i);
    Params params(indicators.begin() + i, indicators.begin() + i + n);
    absl::StatusOr<std::vector<Row>> rows = tx.Query(
        absl::StrCat("SELECT indicator, period, series, version FROM "
                     "measurements WHERE is_current = 1 AND indicator IN ",
                     InList(n)),
        params);
    if (!rows.ok()) return rows.status();
    for (const Row& r : *rows) {
      out[{r.Text(0), {r.Text(1), static_cast<int>(r.Int(2))}}] =
          static_cast<int>(r.Int(3));
    }
  }
  return out;
}

absl::Status FollowUpStore::Supersede(Transaction& tx,
                                      const std::string& indicator,
                                      const SeriesKey& key, int version,
                                      absl::Time when) {
  return tx.Execute(
      "UPDATE measurements SET is_current = 0, supersede_time = ? WHERE "
      "indicator = ? AND period = ? AND series = ? AND version = ?",
      {Micros(when), indicator, key.first, int64_t{key.second},
       int64_t{version}});
}

absl::Status FollowUpStore::InsertMeasurement(Transaction& tx,
                                              const StoredMeasurement& m) {
  const v1::Measurement& v = m.measurement;
  int64_t created =
      v.create_time().seconds() * 1000000 + v.create_time().nanos() / 1000;
  return tx.Execute(
      "INSERT INTO measurements (indicator, period, series, version, "
      "period_index, is_current, value, assessed_status, source, note, "
      "entered_by, create_time) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
      {m.indicator, v.period(), int64_t{v.series()}, int64_t{v.version()},
       m.period_index, v.value(), int64_t{v.assessment().status()}, v.source(),
       v.note(), v.entered_by(), created});
}

absl::StatusOr<std::vector<StoredMeasurement>> FollowUpStore::ListMeasurements(
    Transaction& tx, const std::string& indicator, bool show_superseded,
    const std::string& after, int limit) {
  // The position is "period_index/series/version", zero-padded so that
  // text order is numeric order.
  int64_t index = -1, series = 0, version = 0;
  if (!after.empty()) {
    std::vector<std::string> parts = absl::StrSplit(after, '/');
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &index) ||
        !absl::SimpleAtoi(parts[1], &series) ||
        !absl::SimpleAtoi(parts[2], &version)) {
      return absl::InvalidArgumentError("page_token: not from this list");
    }
  }
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      absl::StrCat(
          "SELECT ", kMeasurementColumns,
          " FROM measurements WHERE indicator = ? ",
          show_superseded ? "" : "AND is_current = 1 ",
          "AND (period_index > ? OR (period_index = ? AND (series > ? OR "
          "(series = ? AND version > ?)))) ORDER BY period_index, series, "
          "version LIMIT ?"),
      {indicator, index, index, series, series, version, int64_t{limit}});
  if (!rows.ok()) return rows.status();
  std::vector<StoredMeasurement> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(ToMeasurement(r));
  return out;
}

absl::StatusOr<std::map<std::string, std::vector<StoredMeasurement>>>
FollowUpStore::CurrentMeasurements(Transaction& tx,
                                   const std::string& municipality,
                                   const std::string& indicator) {
  absl::StatusOr<std::vector<Row>> rows =
      indicator.empty()
          ? tx.Query(absl::StrCat("SELECT ", kMeasurementColumns,
                                  " FROM measurements WHERE is_current = 1 AND "
                                  "indicator >= ? AND indicator < ? ORDER BY "
                                  "indicator, period_index, series"),
                     {absl::StrCat("municipalities/", municipality, "/"),
                      absl::StrCat("municipalities/", municipality, "0")})
          : tx.Query(absl::StrCat("SELECT ", kMeasurementColumns,
                                  " FROM measurements WHERE indicator = ? AND "
                                  "is_current = 1 ORDER BY period_index, "
                                  "series"),
                     {indicator});
  if (!rows.ok()) return rows.status();
  std::map<std::string, std::vector<StoredMeasurement>> out;
  for (const Row& r : *rows) {
    StoredMeasurement m = ToMeasurement(r);
    out[m.indicator].push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::vector<CurrentValue>>>
FollowUpStore::CurrentValues(Transaction& tx, const std::string& municipality,
                             const std::string& indicator) {
  constexpr char kColumns[] =
      "SELECT indicator, period_index, series, value, assessed_status, note "
      "FROM measurements WHERE is_current = 1 AND ";
  absl::StatusOr<std::vector<Row>> rows =
      indicator.empty()
          ? tx.Query(absl::StrCat(kColumns,
                                  "indicator >= ? AND indicator < ? ORDER BY "
                                  "indicator"),
                     {absl::StrCat("municipalities/", municipality, "/"),
                      absl::StrCat("municipalities/", municipality, "0")})
          : tx.Query(absl::StrCat(kColumns, "indicator = ?"), {indicator});
  if (!rows.ok()) return rows.status();
  std::map<std::string, std::vector<CurrentValue>> out;
  std::vector<CurrentValue>* current = nullptr;
  std::string current_name;
  for (const Row& r : *rows) {
    std::string name = r.Text(0);
    if (current == nullptr || name != current_name) {
      current = &out[name];
      current_name = std::move(name);
    }
    current->push_back(
        CurrentValue{r.Int(1), static_cast<v1::Series>(r.Int(2)), r.Double(3),
                     static_cast<v1::Status>(r.Int(4)), r.Text(5)});
  }
  return out;
}

absl::StatusOr<bool> FollowUpStore::HasMeasurements(
    Transaction& tx, const std::string& indicator) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT 1 FROM measurements WHERE indicator = ? LIMIT 1", {indicator});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

absl::StatusOr<std::map<std::string, v1::IndicatorStatus>>
FollowUpStore::LastStatuses(Transaction& tx, const std::string& municipality) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT snapshot FROM indicator_statuses WHERE municipality = ?",
               {municipality});
  if (!rows.ok()) return rows.status();
  std::map<std::string, v1::IndicatorStatus> out;
  for (const Row& r : *rows) {
    absl::StatusOr<v1::IndicatorStatus> s =
        Parse<v1::IndicatorStatus>(r, 0, "status");
    if (!s.ok()) return s.status();
    out[s->indicator_name()] = *std::move(s);
  }
  return out;
}

absl::Status FollowUpStore::SaveStatus(Transaction& tx,
                                       const std::string& municipality,
                                       const v1::IndicatorStatus& status) {
  return tx.Execute(
      "INSERT INTO indicator_statuses (indicator, municipality, status, "
      "snapshot) VALUES (?, ?, ?, ?) ON CONFLICT (indicator) DO UPDATE SET "
      "status = excluded.status, snapshot = excluded.snapshot",
      {status.indicator_name(), municipality, int64_t{status.status()},
       Blob{status.SerializeAsString()}});
}

absl::Status FollowUpStore::InsertRound(Transaction& tx,
                                        const std::string& municipality,
                                        const std::string& round_id,
                                        const v1::ReportingRound& round) {
  absl::Status s = tx.Execute(
      "INSERT INTO reporting_rounds (name, municipality, round_id, snapshot) "
      "VALUES (?, ?, ?, ?)",
      {round.name(), municipality, round_id, Blob{round.SerializeAsString()}});
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(
        absl::StrCat("reporting_round_id: ", round.name(), " already exists"));
  }
  return s;
}

absl::StatusOr<std::optional<v1::ReportingRound>> FollowUpStore::GetRound(
    Transaction& tx, const std::string& name) {
  return ParseOne<v1::ReportingRound>(
      tx.Query("SELECT snapshot FROM reporting_rounds WHERE name = ?", {name}),
      "reporting round");
}

absl::StatusOr<std::vector<v1::ReportingRound>> FollowUpStore::ListRounds(
    Transaction& tx, const std::string& municipality,
    const std::string& after_id, int limit) {
  return ParseAll<v1::ReportingRound>(
      tx.Query("SELECT snapshot FROM reporting_rounds WHERE municipality = ? "
               "AND round_id > ? ORDER BY round_id LIMIT ?",
               {municipality, after_id, int64_t{limit}}),
      "reporting round");
}

absl::Status FollowUpStore::InsertReport(Transaction& tx,
                                         const std::string& municipality,
                                         const std::string& report_id,
                                         const v1::FollowUpReport& report) {
  absl::Status s = tx.Execute(
      "INSERT INTO followup_reports (name, municipality, report_id, state, "
      "snapshot) VALUES (?, ?, ?, ?, ?)",
      {report.name(), municipality, report_id, int64_t{report.state()},
       Blob{report.SerializeAsString()}});
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "follow_up_report_id: ", report.name(), " already exists"));
  }
  return s;
}

absl::Status FollowUpStore::UpdateReport(Transaction& tx,
                                         const v1::FollowUpReport& report) {
  return tx.Execute(
      "UPDATE followup_reports SET state = ?, snapshot = ? WHERE name = ?",
      {int64_t{report.state()}, Blob{report.SerializeAsString()},
       report.name()});
}

absl::StatusOr<std::optional<v1::FollowUpReport>> FollowUpStore::GetReport(
    Transaction& tx, const std::string& name) {
  return ParseOne<v1::FollowUpReport>(
      tx.Query("SELECT snapshot FROM followup_reports WHERE name = ?", {name}),
      "report");
}

absl::StatusOr<std::vector<v1::FollowUpReport>> FollowUpStore::ListReports(
    Transaction& tx, const std::string& municipality, bool published_only,
    const std::string& after_id, int limit) {
  return ParseAll<v1::FollowUpReport>(
      tx.Query(
          absl::StrCat("SELECT snapshot FROM followup_reports WHERE "
                       "municipality = ? AND report_id > ? ",
                       published_only ? "AND state = ? " : "AND state >= ? ",
                       "ORDER BY report_id LIMIT ?"),
          {municipality, after_id,
           int64_t{published_only ? v1::REPORT_STATE_PUBLISHED : 0},
           int64_t{limit}}),
      "report");
}

absl::Status FollowUpStore::InsertCatalogueIndicator(
    Transaction& tx, const v1::CatalogueIndicator& c) {
  absl::Status s = tx.Execute(
      "INSERT INTO catalogue_indicators (name, snapshot) VALUES (?, ?)",
      {c.name(), Blob{c.SerializeAsString()}});
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(
        absl::StrCat("catalogue_indicator_id: ", c.name(), " already exists"));
  }
  return s;
}

absl::StatusOr<std::optional<v1::CatalogueIndicator>>
FollowUpStore::GetCatalogueIndicator(Transaction& tx, const std::string& name) {
  return ParseOne<v1::CatalogueIndicator>(
      tx.Query("SELECT snapshot FROM catalogue_indicators WHERE name = ?",
               {name}),
      "catalogue indicator");
}

absl::StatusOr<std::vector<v1::CatalogueIndicator>>
FollowUpStore::ListCatalogueIndicators(Transaction& tx,
                                       const std::string& after_name,
                                       int limit) {
  return ParseAll<v1::CatalogueIndicator>(
      tx.Query("SELECT snapshot FROM catalogue_indicators WHERE name > ? "
               "ORDER BY name LIMIT ?",
               {after_name, int64_t{limit}}),
      "catalogue indicator");
}

}  // namespace kommune::followup
