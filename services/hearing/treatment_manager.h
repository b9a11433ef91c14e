#ifndef KOMMUNE_SERVICES_HEARING_TREATMENT_MANAGER_H_
#define KOMMUNE_SERVICES_HEARING_TREATMENT_MANAGER_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/empty.pb.h"
#include "kommune/hearing/v1/hearing_service.pb.h"
#include "services/common/identity.h"
#include "services/hearing/policy_client.h"
#include "services/hearing/treatment_logic.h"
#include "services/hearing/treatment_store.h"

namespace kommune::hearing {

// The TreatmentService operations: checks access and input, applies the
// rules of treatment_logic in transactions of the store, and adopts the
// policy through the policy service at the final approval.
class TreatmentManager {
 public:
  TreatmentManager(TreatmentStore* store, PolicyClient* policies)
      : store_(store), policies_(policies) {}

  absl::StatusOr<v1::ProcessTemplate> CreateTemplate(
      const Identity& caller, const v1::CreateProcessTemplateRequest& request);
  absl::StatusOr<v1::ProcessTemplate> GetTemplate(
      const Identity& caller, const v1::GetProcessTemplateRequest& request);
  absl::StatusOr<v1::ListProcessTemplatesResponse> ListTemplates(
      const Identity& caller, const v1::ListProcessTemplatesRequest& request);
  absl::StatusOr<v1::ProcessTemplate> UpdateTemplate(
      const Identity& caller, const v1::UpdateProcessTemplateRequest& request);
  absl::Status DeleteTemplate(const Identity& caller,
                              const v1::DeleteProcessTemplateRequest& request);

  absl::StatusOr<v1::TreatmentCase> CreateCase(
      const Identity& caller, const v1::CreateTreatmentCaseRequest& request);
  absl::StatusOr<v1::TreatmentCase> GetCase(
      const Identity& caller, const v1::GetTreatmentCaseRequest& request);
  absl::StatusOr<v1::ListTreatmentCasesResponse> ListCases(
      const Identity& caller, const v1::ListTreatmentCasesRequest& request);
  absl::StatusOr<v1::TreatmentCase> UpdateCaseStep(
      const Identity& caller, const v1::UpdateCaseStepRequest& request);
  // Records a decision. When it is the final approval, the policy is
  // adopted first (outside any transaction); if the policy service cannot
  // be reached, the decision is recorded with the adoption pending, in one
  // transaction; any other refusal records nothing.
  absl::StatusOr<v1::TreatmentCase> RecordDecision(
      const Identity& caller, const v1::RecordDecisionRequest& request);

  // Tries every pending adoption once more. Adopting an adopted policy is
  // harmless, so a retry after a lost answer does no harm. Failures are
  // kept on the case (attempts, last_error); the status reports only
  // storage errors.
  absl::Status RetryPendingAdoptions(absl::Time now);

 private:
  absl::StatusOr<HearingFacts> LoadFacts(Transaction& tx,
                                         const v1::TreatmentCase& c,
                                         const std::string& step_id,
                                         const std::string& hearing_name);

  TreatmentStore* store_;
  PolicyClient* policies_;
};

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_TREATMENT_MANAGER_H_
