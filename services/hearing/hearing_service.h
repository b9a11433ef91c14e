#ifndef KOMMUNE_SERVICES_HEARING_HEARING_SERVICE_H_
#define KOMMUNE_SERVICES_HEARING_HEARING_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "kommune/hearing/v1/hearing_service.grpc.pb.h"
#include "services/common/database.h"
#include "services/common/event_log.h"
#include "services/common/identity.h"
#include "services/hearing/hearing_manager.h"
#include "services/hearing/hearing_store.h"
#include "services/policy/client/policy_client.h"

namespace kommune::hearing {

// gRPC edge of HearingService: verifies the caller and maps statuses; the
// work happens in HearingManager.
class HearingServiceImpl final : public v1::HearingService::Service {
 public:
  HearingServiceImpl(Database* db, EventLog* events, PolicyClient* policies,
                     const IdentityVerifier* verifier);

  // Tests stand the clock before or after a deadline.
  void SetClockForTesting(std::function<absl::Time()> now) {
    manager_.set_clock(std::move(now));
  }

  grpc::Status CreateHearing(grpc::ServerContext* context,
                             const v1::CreateHearingRequest* request,
                             v1::Hearing* response) override;
  grpc::Status GetHearing(grpc::ServerContext* context,
                          const v1::GetHearingRequest* request,
                          v1::Hearing* response) override;
  grpc::Status ListHearings(grpc::ServerContext* context,
                            const v1::ListHearingsRequest* request,
                            v1::ListHearingsResponse* response) override;
  grpc::Status UpdateHearing(grpc::ServerContext* context,
                             const v1::UpdateHearingRequest* request,
                             v1::Hearing* response) override;
  grpc::Status OpenHearing(grpc::ServerContext* context,
                           const v1::OpenHearingRequest* request,
                           v1::Hearing* response) override;
  grpc::Status CloseHearing(grpc::ServerContext* context,
                            const v1::CloseHearingRequest* request,
                            v1::Hearing* response) override;
  grpc::Status CancelHearing(grpc::ServerContext* context,
                             const v1::CancelHearingRequest* request,
                             v1::Hearing* response) override;
  grpc::Status MarkHearingProcessed(
      grpc::ServerContext* context,
      const v1::MarkHearingProcessedRequest* request,
      v1::Hearing* response) override;
  grpc::Status WaiveParty(grpc::ServerContext* context,
                          const v1::WaivePartyRequest* request,
                          v1::Hearing* response) override;
  grpc::Status ListOutstandingParties(
      grpc::ServerContext* context,
      const v1::ListOutstandingPartiesRequest* request,
      v1::ListOutstandingPartiesResponse* response) override;
  grpc::Status SubmitResponse(grpc::ServerContext* context,
                              const v1::SubmitResponseRequest* request,
                              v1::Response* response) override;
  grpc::Status GetResponse(grpc::ServerContext* context,
                           const v1::GetResponseRequest* request,
                           v1::Response* response) override;
  grpc::Status ListResponses(grpc::ServerContext* context,
                             const v1::ListResponsesRequest* request,
                             v1::ListResponsesResponse* response) override;
  grpc::Status WithdrawResponse(grpc::ServerContext* context,
                                const v1::WithdrawResponseRequest* request,
                                v1::Response* response) override;
  grpc::Status UpdateResponsePoints(
      grpc::ServerContext* context,
      const v1::UpdateResponsePointsRequest* request,
      v1::Response* response) override;
  grpc::Status PurgePersonalData(
      grpc::ServerContext* context, const v1::PurgePersonalDataRequest* request,
      v1::PurgePersonalDataResponse* response) override;
  grpc::Status GetHearingMemo(grpc::ServerContext* context,
                              const v1::GetHearingMemoRequest* request,
                              v1::HearingMemo* response) override;
  grpc::Status ExportHearingMemo(
      grpc::ServerContext* context, const v1::ExportHearingMemoRequest* request,
      v1::ExportHearingMemoResponse* response) override;

 private:
  HearingStore store_;
  HearingManager manager_;
  const IdentityVerifier* verifier_;
};

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_HEARING_SERVICE_H_
