#ifndef KOMMUNE_SERVICES_HEARING_TREATMENT_SERVICE_H_
#define KOMMUNE_SERVICES_HEARING_TREATMENT_SERVICE_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kommune/hearing/v1/hearing_service.grpc.pb.h"
#include "services/common/database.h"
#include "services/common/event_log.h"
#include "services/common/identity.h"
#include "services/hearing/treatment_manager.h"
#include "services/hearing/treatment_store.h"
#include "services/policy/client/policy_client.h"

namespace kommune::hearing {

// gRPC edge of political treatment (TreatmentService): verifies the caller
// and maps statuses; the work happens in TreatmentManager.
class TreatmentServiceImpl final : public v1::TreatmentService::Service {
 public:
  TreatmentServiceImpl(Database* db, EventLog* events, PolicyClient* policies,
                       const IdentityVerifier* verifier)
      : store_(db, events), manager_(&store_, policies), verifier_(verifier) {}

  // Completes adoptions that waited for the policy service; main calls it
  // every few seconds.
  absl::Status RetryPendingAdoptions(absl::Time now) {
    return manager_.RetryPendingAdoptions(now);
  }

  grpc::Status CreateProcessTemplate(
      grpc::ServerContext* context,
      const v1::CreateProcessTemplateRequest* request,
      v1::ProcessTemplate* response) override;
  grpc::Status GetProcessTemplate(grpc::ServerContext* context,
                                  const v1::GetProcessTemplateRequest* request,
                                  v1::ProcessTemplate* response) override;
  grpc::Status ListProcessTemplates(
      grpc::ServerContext* context,
      const v1::ListProcessTemplatesRequest* request,
      v1::ListProcessTemplatesResponse* response) override;
  grpc::Status UpdateProcessTemplate(
      grpc::ServerContext* context,
      const v1::UpdateProcessTemplateRequest* request,
      v1::ProcessTemplate* response) override;
  grpc::Status DeleteProcessTemplate(
      grpc::ServerContext* context,
      const v1::DeleteProcessTemplateRequest* request,
      google::protobuf::Empty* response) override;
  grpc::Status CreateTreatmentCase(
      grpc::ServerContext* context,
      const v1::CreateTreatmentCaseRequest* request,
      v1::TreatmentCase* response) override;
  grpc::Status GetTreatmentCase(grpc::ServerContext* context,
                                const v1::GetTreatmentCaseRequest* request,
                                v1::TreatmentCase* response) override;
  grpc::Status ListTreatmentCases(
      grpc::ServerContext* context,
      const v1::ListTreatmentCasesRequest* request,
      v1::ListTreatmentCasesResponse* response) override;
  grpc::Status UpdateCaseStep(grpc::ServerContext* context,
                              const v1::UpdateCaseStepRequest* request,
                              v1::TreatmentCase* response) override;
  grpc::Status RecordDecision(grpc::ServerContext* context,
                              const v1::RecordDecisionRequest* request,
                              v1::TreatmentCase* response) override;

 private:
  TreatmentStore store_;
  TreatmentManager manager_;
  const IdentityVerifier* verifier_;
};

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_TREATMENT_SERVICE_H_
