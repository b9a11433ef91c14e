#ifndef KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_SERVICE_H_
#define KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "kommune/followup/v1/followup_service.grpc.pb.h"
#include "services/common/database.h"
#include "services/common/event_log.h"
#include "services/common/identity.h"
#include "services/followup/followup_manager.h"
#include "services/followup/followup_store.h"
#include "services/policy/client/policy_client.h"

namespace kommune::followup {

// gRPC edge of FollowUpService: verifies the caller and maps statuses; the
// work happens in FollowUpManager.
class FollowUpServiceImpl final : public v1::FollowUpService::Service {
 public:
  FollowUpServiceImpl(Database* db, EventLog* events, PolicyClient* policies,
                      const IdentityVerifier* verifier);

  // Tests stand the clock on a day of their choosing.
  void SetClockForTesting(std::function<absl::Time()> now) {
    manager_.set_clock(std::move(now));
  }
  FollowUpManager& manager() { return manager_; }

  grpc::Status ProposeIndicators(
      grpc::ServerContext* context, const v1::ProposeIndicatorsRequest* request,
      v1::ProposeIndicatorsResponse* response) override;
  grpc::Status CreateIndicator(grpc::ServerContext* context,
                               const v1::CreateIndicatorRequest* request,
                               v1::Indicator* response) override;
  grpc::Status GetIndicator(grpc::ServerContext* context,
                            const v1::GetIndicatorRequest* request,
                            v1::Indicator* response) override;
  grpc::Status ListIndicators(grpc::ServerContext* context,
                              const v1::ListIndicatorsRequest* request,
                              v1::ListIndicatorsResponse* response) override;
  grpc::Status UpdateIndicator(grpc::ServerContext* context,
                               const v1::UpdateIndicatorRequest* request,
                               v1::Indicator* response) override;
  grpc::Status DeleteIndicator(grpc::ServerContext* context,
                               const v1::DeleteIndicatorRequest* request,
                               google::protobuf::Empty* response) override;
  grpc::Status BatchRecordMeasurements(
      grpc::ServerContext* context,
      const v1::BatchRecordMeasurementsRequest* request,
      v1::BatchRecordMeasurementsResponse* response) override;
  grpc::Status ListMeasurements(
      grpc::ServerContext* context, const v1::ListMeasurementsRequest* request,
      v1::ListMeasurementsResponse* response) override;
  grpc::Status ImportMeasurements(
      grpc::ServerContext* context,
      const v1::ImportMeasurementsRequest* request,
      v1::ImportMeasurementsResponse* response) override;
  grpc::Status GetIndicatorStatus(grpc::ServerContext* context,
                                  const v1::GetIndicatorStatusRequest* request,
                                  v1::IndicatorStatus* response) override;
  grpc::Status SummarizeStatuses(
      grpc::ServerContext* context, const v1::SummarizeStatusesRequest* request,
      v1::SummarizeStatusesResponse* response) override;
  grpc::Status RecomputeStatuses(
      grpc::ServerContext* context, const v1::RecomputeStatusesRequest* request,
      v1::RecomputeStatusesResponse* response) override;
  grpc::Status CreateReportingRound(
      grpc::ServerContext* context,
      const v1::CreateReportingRoundRequest* request,
      v1::ReportingRound* response) override;
  grpc::Status GetReportingRound(grpc::ServerContext* context,
                                 const v1::GetReportingRoundRequest* request,
                                 v1::ReportingRound* response) override;
  grpc::Status ListReportingRounds(
      grpc::ServerContext* context,
      const v1::ListReportingRoundsRequest* request,
      v1::ListReportingRoundsResponse* response) override;
  grpc::Status ListMissingMeasurements(
      grpc::ServerContext* context,
      const v1::ListMissingMeasurementsRequest* request,
      v1::ListMissingMeasurementsResponse* response) override;
  grpc::Status PreviewFollowUpReport(
      grpc::ServerContext* context,
      const v1::PreviewFollowUpReportRequest* request,
      v1::FollowUpReport* response) override;
  grpc::Status CreateFollowUpReport(
      grpc::ServerContext* context,
      const v1::CreateFollowUpReportRequest* request,
      v1::FollowUpReport* response) override;
  grpc::Status GetFollowUpReport(grpc::ServerContext* context,
                                 const v1::GetFollowUpReportRequest* request,
                                 v1::FollowUpReport* response) override;
  grpc::Status ListFollowUpReports(
      grpc::ServerContext* context,
      const v1::ListFollowUpReportsRequest* request,
      v1::ListFollowUpReportsResponse* response) override;
  grpc::Status PublishFollowUpReport(
      grpc::ServerContext* context,
      const v1::PublishFollowUpReportRequest* request,
      v1::FollowUpReport* response) override;
  grpc::Status ExportFollowUpReport(
      grpc::ServerContext* context,
      const v1::ExportFollowUpReportRequest* request,
      v1::ExportFollowUpReportResponse* response) override;
  grpc::Status CreateCatalogueIndicator(
      grpc::ServerContext* context,
      const v1::CreateCatalogueIndicatorRequest* request,
      v1::CatalogueIndicator* response) override;
  grpc::Status GetCatalogueIndicator(
      grpc::ServerContext* context,
      const v1::GetCatalogueIndicatorRequest* request,
      v1::CatalogueIndicator* response) override;
  grpc::Status ListCatalogueIndicators(
      grpc::ServerContext* context,
      const v1::ListCatalogueIndicatorsRequest* request,
      v1::ListCatalogueIndicatorsResponse* response) override;
  grpc::Status CompareCatalogueIndicator(
      grpc::ServerContext* context,
      const v1::CompareCatalogueIndicatorRequest* request,
      v1::CompareCatalogueIndicatorResponse* response) override;

 private:
  FollowUpStore store_;
  FollowUpManager manager_;
  const IdentityVerifier* verifier_;
};

}  // namespace kommune::followup

#endif  // KOMMUNE_SERVICES_FOLLOWUP_FOLLOWUP_SERVICE_H_
