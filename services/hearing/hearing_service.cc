#include "services/hearing/hearing_service.h"

#include "absl/time/clock.h"
#include "services/common/grpc_util.h"

namespace kommune::hearing {

HearingServiceImpl::HearingServiceImpl(Database* db, EventLog* events,
                                       PolicyClient* policies,
                                       const IdentityVerifier* verifier)
    : store_(db, events),
      manager_(&store_, policies, [] { return absl::Now(); }),
      verifier_(verifier) {}

grpc::Status HearingServiceImpl::CreateHearing(
    grpc::ServerContext* context, const v1::CreateHearingRequest* request,
    v1::Hearing* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::CreateHearingRequest& r) {
        return manager_.Create(caller, r);
      });
}

grpc::Status HearingServiceImpl::GetHearing(
    grpc::ServerContext* context, const v1::GetHearingRequest* request,
    v1::Hearing* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller, const v1::GetHearingRequest& r) {
                 return manager_.Get(caller, r);
               });
}

grpc::Status HearingServiceImpl::ListHearings(
    grpc::ServerContext* context, const v1::ListHearingsRequest* request,
    v1::ListHearingsResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListHearingsRequest& r) {
        return manager_.List(caller, r);
      });
}

grpc::Status HearingServiceImpl::UpdateHearing(
    grpc::ServerContext* context, const v1::UpdateHearingRequest* request,
    v1::Hearing* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::UpdateHearingRequest& r) {
        return manager_.Update(caller, r);
      });
}

grpc::Status HearingServiceImpl::OpenHearing(
    grpc::ServerContext* context, const v1::OpenHearingRequest* request,
    v1::Hearing* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller, const v1::OpenHearingRequest& r) {
                 return manager_.Open(caller, r);
               });
}

grpc::Status HearingServiceImpl::CloseHearing(
    grpc::ServerContext* context, const v1::CloseHearingRequest* request,
    v1::Hearing* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::CloseHearingRequest& r) {
        return manager_.Close(caller, r);
      });
}

grpc::Status HearingServiceImpl::CancelHearing(
    grpc::ServerContext* context, const v1::CancelHearingRequest* request,
    v1::Hearing* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::CancelHearingRequest& r) {
        return manager_.Cancel(caller, r);
      });
}

grpc::Status HearingServiceImpl::MarkHearingProcessed(
    grpc::ServerContext* context,
    const v1::MarkHearingProcessedRequest* request, v1::Hearing* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::MarkHearingProcessedRequest& r) {
        return manager_.MarkProcessed(caller, r);
      });
}

grpc::Status HearingServiceImpl::WaiveParty(
    grpc::ServerContext* context, const v1::WaivePartyRequest* request,
    v1::Hearing* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller, const v1::WaivePartyRequest& r) {
                 return manager_.WaiveParty(caller, r);
               });
}

grpc::Status HearingServiceImpl::ListOutstandingParties(
    grpc::ServerContext* context,
    const v1::ListOutstandingPartiesRequest* request,
    v1::ListOutstandingPartiesResponse* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller,
                      const v1::ListOutstandingPartiesRequest& r) {
                 return manager_.ListOutstanding(caller, r);
               });
}

grpc::Status HearingServiceImpl::SubmitResponse(
    grpc::ServerContext* context, const v1::SubmitResponseRequest* request,
    v1::Response* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::SubmitResponseRequest& r) {
        return manager_.Submit(caller, r);
      });
}

grpc::Status HearingServiceImpl::GetResponse(
    grpc::ServerContext* context, const v1::GetResponseRequest* request,
    v1::Response* response) {
  return Serve(*context, *verifier_, *request, response,
               [this](const Identity& caller, const v1::GetResponseRequest& r) {
                 return manager_.GetResponse(caller, r);
               });
}

grpc::Status HearingServiceImpl::ListResponses(
    grpc::ServerContext* context, const v1::ListResponsesRequest* request,
    v1::ListResponsesResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ListResponsesRequest& r) {
        return manager_.ListResponses(caller, r);
      });
}

grpc::Status HearingServiceImpl::WithdrawResponse(
    grpc::ServerContext* context, const v1::WithdrawResponseRequest* request,
    v1::Response* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::WithdrawResponseRequest& r) {
        return manager_.Withdraw(caller, r);
      });
}

grpc::Status HearingServiceImpl::UpdateResponsePoints(
    grpc::ServerContext* context,
    const v1::UpdateResponsePointsRequest* request, v1::Response* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::UpdateResponsePointsRequest& r) {
        return manager_.UpdatePoints(caller, r);
      });
}

grpc::Status HearingServiceImpl::PurgePersonalData(
    grpc::ServerContext* context, const v1::PurgePersonalDataRequest* request,
    v1::PurgePersonalDataResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::PurgePersonalDataRequest& r) {
        return manager_.Purge(caller, r);
      });
}

grpc::Status HearingServiceImpl::GetHearingMemo(
    grpc::ServerContext* context, const v1::GetHearingMemoRequest* request,
    v1::HearingMemo* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::GetHearingMemoRequest& r) {
        return manager_.GetMemo(caller, r);
      });
}

grpc::Status HearingServiceImpl::ExportHearingMemo(
    grpc::ServerContext* context, const v1::ExportHearingMemoRequest* request,
    v1::ExportHearingMemoResponse* response) {
  return Serve(
      *context, *verifier_, *request, response,
      [this](const Identity& caller, const v1::ExportHearingMemoRequest& r) {
        return manager_.ExportMemo(caller, r);
      });
}

}  // namespace kommune::hearing
