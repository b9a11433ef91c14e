#ifndef KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_MANAGER_H_
#define KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_MANAGER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kommune/followup/v1/followup_service.pb.h"
#include "services/common/identity.h"
#include "services/followup/followup_store.h"
#include "services/followup/measurement_point.h"
#include "services/policy/client/policy_client.h"

namespace kommune::followup {

// The follow-up service's operations, free of gRPC: validate, authorise and
// write through the store, one transaction each. Every error names the
// request field it is about.
class FollowUpManager {
 public:
  using Clock = std::function<absl::Time()>;

  FollowUpManager(FollowUpStore* store, PolicyClient* policies, Clock now)
      : store_(store), policies_(policies), now_(std::move(now)) {}

  void set_clock(Clock now) { now_ = std::move(now); }

  // Indicators (indicators.cc).
  absl::StatusOr<v1::ProposeIndicatorsResponse> Propose(
      const Identity& caller, const v1::ProposeIndicatorsRequest& request);
  absl::StatusOr<v1::Indicator> CreateIndicator(
      const Identity& caller, const v1::CreateIndicatorRequest& request);
  absl::StatusOr<v1::Indicator> GetIndicator(
      const Identity& caller, const v1::GetIndicatorRequest& request);
  absl::StatusOr<v1::ListIndicatorsResponse> ListIndicators(
      const Identity& caller, const v1::ListIndicatorsRequest& request);
  absl::StatusOr<v1::Indicator> UpdateIndicator(
      const Identity& caller, const v1::UpdateIndicatorRequest& request);
  absl::Status DeleteIndicator(const Identity& caller,
                               const v1::DeleteIndicatorRequest& request);

  // Measurements (measurements.cc).
  absl::StatusOr<v1::BatchRecordMeasurementsResponse> Record(
      const Identity& caller,
      const v1::BatchRecordMeasurementsRequest& request);
  absl::StatusOr<v1::ListMeasurementsResponse> ListMeasurements(
      const Identity& caller, const v1::ListMeasurementsRequest& request);
  absl::StatusOr<v1::ImportMeasurementsResponse> Import(
      const Identity& caller, const v1::ImportMeasurementsRequest& request);

  // Status (statuses.cc).
  absl::StatusOr<v1::IndicatorStatus> GetStatus(
      const Identity& caller, const v1::GetIndicatorStatusRequest& request);
  absl::StatusOr<v1::SummarizeStatusesResponse> Summarize(
      const Identity& caller, const v1::SummarizeStatusesRequest& request);
  absl::StatusOr<v1::RecomputeStatusesResponse> Recompute(
      const Identity& caller, const v1::RecomputeStatusesRequest& request);
  // Recomputes every municipality's statuses today (the hourly sweep).
  absl::Status RecomputeAll();

  // Reporting rounds (rounds.cc).
  absl::StatusOr<v1::ReportingRound> CreateRound(
      const Identity& caller, const v1::CreateReportingRoundRequest& request);
  absl::StatusOr<v1::ReportingRound> GetRound(
      const Identity& caller, const v1::GetReportingRoundRequest& request);
  absl::StatusOr<v1::ListReportingRoundsResponse> ListRounds(
      const Identity& caller, const v1::ListReportingRoundsRequest& request);
  absl::StatusOr<v1::ListMissingMeasurementsResponse> ListMissing(
      const Identity& caller,
      const v1::ListMissingMeasurementsRequest& request);

  // Reports (reports.cc).
  absl::StatusOr<v1::FollowUpReport> PreviewReport(
      const Identity& caller, const v1::PreviewFollowUpReportRequest& request);
  absl::StatusOr<v1::FollowUpReport> CreateReport(
      const Identity& caller, const v1::CreateFollowUpReportRequest& request);
  absl::StatusOr<v1::FollowUpReport> GetReport(
      const Identity& caller, const v1::GetFollowUpReportRequest& request);
  absl::StatusOr<v1::ListFollowUpReportsResponse> ListReports(
      const Identity& caller, const v1::ListFollowUpReportsRequest& request);
  absl::StatusOr<v1::FollowUpReport> PublishReport(
      const Identity& caller, const v1::PublishFollowUpReportRequest& request);
  absl::StatusOr<v1::ExportFollowUpReportResponse> ExportReport(
      const Identity& caller, const v1::ExportFollowUpReportRequest& request);

  // The catalogue (catalogue.cc).
  absl::StatusOr<v1::CatalogueIndicator> CreateCatalogueIndicator(
      const Identity& caller,
      const v1::CreateCatalogueIndicatorRequest& request);
  absl::StatusOr<v1::CatalogueIndicator> GetCatalogueIndicator(
      const Identity& caller, const v1::GetCatalogueIndicatorRequest& request);
  absl::StatusOr<v1::ListCatalogueIndicatorsResponse> ListCatalogueIndicators(
      const Identity& caller,
      const v1::ListCatalogueIndicatorsRequest& request);
  absl::StatusOr<v1::CompareCatalogueIndicatorResponse> Compare(
      const Identity& caller,
      const v1::CompareCatalogueIndicatorRequest& request);

 private:
  // One measurement resolved against its indicator, ready to store.
  struct PendingMeasurement {
    const v1::Indicator* indicator;
    Period period;
    v1::Measurement measurement;
    std::string field;  // for errors: "requests[3].measurement" or "csv row 7"
  };

  // Validates one measurement against its indicator.
  absl::StatusOr<PendingMeasurement> Resolve(const v1::Indicator& indicator,
                                             const v1::Measurement& m,
                                             const std::string& field) const;
  // Stores measurements (superseding current values) and announces status
  // changes of the indicators touched, in tx.
  absl::Status StoreMeasurements(Transaction& tx, const Identity& caller,
                                 const std::string& municipality,
                                 std::vector<PendingMeasurement>& pending,
                                 v1::BatchRecordMeasurementsResponse* out);
  // Judges `indicators` on as_of, saves statuses that changed and appends
  // an event for each; returns the changed ones.
  absl::StatusOr<std::vector<v1::IndicatorStatus>> RefreshStatuses(
      Transaction& tx, const std::string& municipality,
      const std::vector<v1::Indicator>& indicators, absl::CivilDay as_of,
      const std::string& actor);
  // Every indicator of the municipality (or of a policy) with its status
  // on as_of and its current values.
  struct Judged {
    v1::Indicator indicator;
    v1::IndicatorStatus status;
    std::vector<MeasurementPoint> points;
  };
  absl::StatusOr<std::vector<Judged>> JudgeAll(const std::string& municipality,
                                               const std::string& policy,
                                               absl::CivilDay as_of);
  // Checks criteria against the policy service and fills their output-only
  // fields; errors name `field`.
  absl::Status ResolveCriteria(const Identity& caller, v1::Indicator& indicator,
                               const std::string& field);
  // Reads the policy through the policy service as the caller.
  absl::StatusOr<policy::v1::Policy> ReadPolicy(const Identity& caller,
                                                const std::string& name,
                                                const std::string& field);
  absl::StatusOr<v1::FollowUpReport> BuildReport(const Identity& caller,
                                                 const std::string& policy,
                                                 absl::CivilDay as_of,
                                                 const std::string& field);
  // as_of, or today in Europe/Copenhagen when unset.
  absl::StatusOr<absl::CivilDay> AsOf(const common::v1::Date& date,
                                      const std::string& field) const;

  absl::Time Now() const { return now_(); }

  FollowUpStore* store_;
  PolicyClient* policies_;
  Clock now_;
};

// Current values of an indicator as the status rules take them.
std::vector<MeasurementPoint> ToPoints(const v1::Indicator& indicator,
                                       const std::vector<CurrentValue>& values);

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_MANAGER_H_
