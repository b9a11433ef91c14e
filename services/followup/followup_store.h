#ifndef KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_STORE_H_
#define KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kommune/followup/v1/followup_service.pb.h"
#include "services/common/database.h"
#include "services/common/event_log.h"
#include "services/common/request_log.h"

namespace kommune::followup {

// One measurement row as stored.
struct StoredMeasurement {
  std::string indicator;
  int64_t period_index = 0;
  v1::Measurement measurement;  // name, period, series, value, ... filled
};

// A current value as the status rules and reports need it: no more.
struct CurrentValue {
  int64_t period_index = 0;
  v1::Series series = v1::SERIES_TARGET_GROUP;
  double value = 0;
  v1::Status assessed_status = v1::STATUS_UNSPECIFIED;
  std::string note;
};

// (period, series) of one indicator.
using SeriesKey = std::pair<std::string, int>;

// Runs `get`, a store read such as GetIndicator, in a read transaction of
// its own and returns what it read.
template <typename Get>
std::invoke_result_t<Get, Transaction&> ReadInTransaction(Database& db,
                                                          Get get) {
  std::invoke_result_t<Get, Transaction&> out;
  absl::Status status = db.Read([&](Transaction& tx) -> absl::Status {
    out = get(tx);
    return out.status();
  });
  if (!status.ok()) return status;
  return out;
}

// The follow-up service's tables. Every method runs inside the caller's
// transaction, so a change and its event commit together.
class FollowUpStore {
 public:
  FollowUpStore(Database* db, EventLog* events)
      : db_(db),
        events_(events),
        requests_("followup_requests", "municipality") {}

  Database& db() { return *db_; }
  EventLog& events() { return *events_; }
  const RequestLog& requests() const { return requests_; }

  // Indicators.
  absl::Status InsertIndicator(Transaction& tx, const std::string& municipality,
                               const std::string& indicator_id,
                               const v1::Indicator& indicator);
  absl::Status UpdateIndicator(Transaction& tx, const v1::Indicator& indicator);
  absl::Status DeleteIndicator(Transaction& tx, const std::string& name);
  absl::StatusOr<std::optional<v1::Indicator>> GetIndicator(
      Transaction& tx, const std::string& name);
  // By id after `after_id`, at most `limit`; only indicators of `policy`
  // when it is set.
  absl::StatusOr<std::vector<v1::Indicator>> ListIndicators(
      Transaction& tx, const std::string& municipality,
      const std::string& policy, const std::string& after_id, int limit);
  // Every indicator of a municipality (or of one policy), by name.
  absl::StatusOr<std::vector<v1::Indicator>> AllIndicators(
      Transaction& tx, const std::string& municipality,
      const std::string& policy = "");
  // Codes of the municipalities that have indicators.
  absl::StatusOr<std::vector<std::string>> Municipalities(Transaction& tx);
  // Every indicator opted in to a catalogue definition, by name.
  absl::StatusOr<std::vector<v1::Indicator>> CatalogueMembers(
      Transaction& tx, const std::string& catalogue);

  // Measurements.
  // The current version of each (period, series) among `indicators`.
  absl::StatusOr<std::map<std::pair<std::string, SeriesKey>, int>>
  CurrentVersions(Transaction& tx, const std::vector<std::string>& indicators);
  // Marks a current version superseded at `when`.
  absl::Status Supersede(Transaction& tx, const std::string& indicator,
                         const SeriesKey& key, int version, absl::Time when);
  absl::Status InsertMeasurement(Transaction& tx, const StoredMeasurement& m);
  // An indicator's measurements by period, series and version; after the
  // position `after` ("" for the start), at most `limit`.
  absl::StatusOr<std::vector<StoredMeasurement>> ListMeasurements(
      Transaction& tx, const std::string& indicator, bool show_superseded,
      const std::string& after, int limit);
  // The current values of every indicator of a municipality (or just of
  // `indicator`), grouped by indicator, oldest period first.
  absl::StatusOr<std::map<std::string, std::vector<StoredMeasurement>>>
  CurrentMeasurements(Transaction& tx, const std::string& municipality,
                      const std::string& indicator = "");
  // The same, lean: only what statuses and reports use, read in index
  // order (each indicator's values oldest first). The hot path of every
  // refresh, report and sweep.
  absl::StatusOr<std::map<std::string, std::vector<CurrentValue>>>
  CurrentValues(Transaction& tx, const std::string& municipality,
                const std::string& indicator = "");
  absl::StatusOr<bool> HasMeasurements(Transaction& tx,
                                       const std::string& indicator);

  // Statuses last announced.
  absl::StatusOr<std::map<std::string, v1::IndicatorStatus>> LastStatuses(
      Transaction& tx, const std::string& municipality);
  absl::Status SaveStatus(Transaction& tx, const std::string& municipality,
                          const v1::IndicatorStatus& status);

  // Reporting rounds.
  absl::Status InsertRound(Transaction& tx, const std::string& municipality,
                           const std::string& round_id,
                           const v1::ReportingRound& round);
  absl::StatusOr<std::optional<v1::ReportingRound>> GetRound(
      Transaction& tx, const std::string& name);
  absl::StatusOr<std::vector<v1::ReportingRound>> ListRounds(
      Transaction& tx, const std::string& municipality,
      const std::string& after_id, int limit);

  // Reports.
  absl::Status InsertReport(Transaction& tx, const std::string& municipality,
                            const std::string& report_id,
                            const v1::FollowUpReport& report);
  absl::Status UpdateReport(Transaction& tx, const v1::FollowUpReport& report);
  absl::StatusOr<std::optional<v1::FollowUpReport>> GetReport(
      Transaction& tx, const std::string& name);
  absl::StatusOr<std::vector<v1::FollowUpReport>> ListReports(
      Transaction& tx, const std::string& municipality, bool published_only,
      const std::string& after_id, int limit);

  // The catalogue.
  absl::Status InsertCatalogueIndicator(Transaction& tx,
                                        const v1::CatalogueIndicator& c);
  absl::StatusOr<std::optional<v1::CatalogueIndicator>> GetCatalogueIndicator(
      Transaction& tx, const std::string& name);
  absl::StatusOr<std::vector<v1::CatalogueIndicator>> ListCatalogueIndicators(
      Transaction& tx, const std::string& after_name, int limit);

 private:
  Database* db_;
  EventLog* events_;
  RequestLog requests_;
};

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_STORE_H_
