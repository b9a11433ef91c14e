#include "services/followup/followup_service.h"

#include "absl/time/clock.h"
#include "services/common/grpc_util.h"

namespace kommune::followup {

FollowUpServiceImpl::FollowUpServiceImpl(Database* db, EventLog* events,
                                         PolicyClient* policies,
                                         const IdentityVerifier* verifier)
    : store_(db, events),
      manager_(&store_, policies, [] { return absl::Now(); }),
      verifier_(verifier) {}

grpc::Status FollowUpServiceImpl::ProposeIndicators(
    grpc::ServerContext* context, const v1::ProposeIndicatorsRequest* request,
    v1::ProposeIndicatorsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ProposeIndicatorsRequest& r) {
        return manager_.Propose(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::CreateIndicator(
    grpc::ServerContext* context, const v1::CreateIndicatorRequest* request,
    v1::Indicator* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::CreateIndicatorRequest& r) {
        return manager_.CreateIndicator(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::GetIndicator(
    grpc::ServerContext* context, const v1::GetIndicatorRequest* request,
    v1::Indicator* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::GetIndicatorRequest& r) {
        return manager_.GetIndicator(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::ListIndicators(
    grpc::ServerContext* context, const v1::ListIndicatorsRequest* request,
    v1::ListIndicatorsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListIndicatorsRequest& r) {
        return manager_.ListIndicators(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::UpdateIndicator(
    grpc::ServerContext* context, const v1::UpdateIndicatorRequest* request,
    v1::Indicator* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::UpdateIndicatorRequest& r) {
        return manager_.UpdateIndicator(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::DeleteIndicator(
    grpc::ServerContext* context, const v1::DeleteIndicatorRequest* request,
    google::protobuf::Empty* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::DeleteIndicatorRequest& r) {
        return manager_.DeleteIndicator(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::BatchRecordMeasurements(
    grpc::ServerContext* context,
    const v1::BatchRecordMeasurementsRequest* request,
    v1::BatchRecordMeasurementsResponse* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::BatchRecordMeasurementsRequest& r) {
                 return manager_.Record(caller, r);
               });
}

grpc::Status FollowUpServiceImpl::ListMeasurements(
    grpc::ServerContext* context, const v1::ListMeasurementsRequest* request,
    v1::ListMeasurementsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListMeasurementsRequest& r) {
        return manager_.ListMeasurements(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::ImportMeasurements(
    grpc::ServerContext* context, const v1::ImportMeasurementsRequest* request,
    v1::ImportMeasurementsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ImportMeasurementsRequest& r) {
        return manager_.Import(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::GetIndicatorStatus(
    grpc::ServerContext* context, const v1::GetIndicatorStatusRequest* request,
    v1::IndicatorStatus* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::GetIndicatorStatusRequest& r) {
        return manager_.GetStatus(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::SummarizeStatuses(
    grpc::ServerContext* context, const v1::SummarizeStatusesRequest* request,
    v1::SummarizeStatusesResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::SummarizeStatusesRequest& r) {
        return manager_.Summarize(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::RecomputeStatuses(
    grpc::ServerContext* context, const v1::RecomputeStatusesRequest* request,
    v1::RecomputeStatusesResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::RecomputeStatusesRequest& r) {
        return manager_.Recompute(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::CreateReportingRound(
    grpc::ServerContext* context,
    const v1::CreateReportingRoundRequest* request,
    v1::ReportingRound* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::CreateReportingRoundRequest& r) {
        return manager_.CreateRound(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::GetReportingRound(
    grpc::ServerContext* context, const v1::GetReportingRoundRequest* request,
    v1::ReportingRound* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::GetReportingRoundRequest& r) {
        return manager_.GetRound(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::ListReportingRounds(
    grpc::ServerContext* context, const v1::ListReportingRoundsRequest* request,
    v1::ListReportingRoundsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListReportingRoundsRequest& r) {
        return manager_.ListRounds(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::ListMissingMeasurements(
    grpc::ServerContext* context,
    const v1::ListMissingMeasurementsRequest* request,
    v1::ListMissingMeasurementsResponse* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::ListMissingMeasurementsRequest& r) {
                 return manager_.ListMissing(caller, r);
               });
}

grpc::Status FollowUpServiceImpl::PreviewFollowUpReport(
    grpc::ServerContext* context,
    const v1::PreviewFollowUpReportRequest* request,
    v1::FollowUpReport* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::PreviewFollowUpReportRequest& r) {
                 return manager_.PreviewReport(caller, r);
               });
}

grpc::Status FollowUpServiceImpl::CreateFollowUpReport(
    grpc::ServerContext* context,
    const v1::CreateFollowUpReportRequest* request,
    v1::FollowUpReport* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::CreateFollowUpReportRequest& r) {
        return manager_.CreateReport(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::GetFollowUpReport(
    grpc::ServerContext* context, const v1::GetFollowUpReportRequest* request,
    v1::FollowUpReport* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::GetFollowUpReportRequest& r) {
        return manager_.GetReport(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::ListFollowUpReports(
    grpc::ServerContext* context, const v1::ListFollowUpReportsRequest* request,
    v1::ListFollowUpReportsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListFollowUpReportsRequest& r) {
        return manager_.ListReports(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::PublishFollowUpReport(
    grpc::ServerContext* context,
    const v1::PublishFollowUpReportRequest* request,
    v1::FollowUpReport* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::PublishFollowUpReportRequest& r) {
                 return manager_.PublishReport(caller, r);
               });
}

grpc::Status FollowUpServiceImpl::ExportFollowUpReport(
    grpc::ServerContext* context,
    const v1::ExportFollowUpReportRequest* request,
    v1::ExportFollowUpReportResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ExportFollowUpReportRequest& r) {
        return manager_.ExportReport(caller, r);
      });
}

grpc::Status FollowUpServiceImpl::CreateCatalogueIndicator(
    grpc::ServerContext* context,
    const v1::CreateCatalogueIndicatorRequest* request,
    v1::CatalogueIndicator* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::CreateCatalogueIndicatorRequest& r) {
                 return manager_.CreateCatalogueIndicator(caller, r);
               });
}

grpc::Status FollowUpServiceImpl::GetCatalogueIndicator(
    grpc::ServerContext* context,
    const v1::GetCatalogueIndicatorRequest* request,
    v1::CatalogueIndicator* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::GetCatalogueIndicatorRequest& r) {
                 return manager_.GetCatalogueIndicator(caller, r);
               });
}

grpc::Status FollowUpServiceImpl::ListCatalogueIndicators(
    grpc::ServerContext* context,
    const v1::ListCatalogueIndicatorsRequest* request,
    v1::ListCatalogueIndicatorsResponse* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::ListCatalogueIndicatorsRequest& r) {
                 return manager_.ListCatalogueIndicators(caller, r);
               });
}

grpc::Status FollowUpServiceImpl::CompareCatalogueIndicator(
    grpc::ServerContext* context,
    const v1::CompareCatalogueIndicatorRequest* request,
    v1::CompareCatalogueIndicatorResponse* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::CompareCatalogueIndicatorRequest& r) {
                 return manager_.Compare(caller, r);
               });
}

}  // namespace kommune::followup
