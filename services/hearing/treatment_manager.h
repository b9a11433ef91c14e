#ifndef KOMMUNE_SERVICES_HEARING_TREATMENT_MANAGER_H_
#define KOMMUNE_SERVICES_HEARING_TREATMENT_MANAGER_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/empty.pb.h"
#include "kommune/hearing/v1/hearing_service.pb.h"
#include "services/common/identity.h"
#include "services/hearing/treatment_logic.h"
#include "services/hearing/treatment_store.h"
#include "services/policy/client/policy_client.h"

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
  // Records a decision. The final approval is recorded in one transaction
  // with the adoption intent (adoption.pending, the policy's revision, the
  // events), under the policy's hearing lock after checking that no hearing
  // of the policy is open or unprocessed. Only then is the policy service
  // asked to adopt: on success the case is marked adopted; if it cannot be
  // reached, the adoption stays pending for RetryPendingAdoptions; if it
  // refuses, the decision is compensated (superseded, the step open again,
  // "treatment_case.adoption_refused") and FAILED_PRECONDITION returned.
  // A retry with the same request_id records and adopts nothing more; it
  // answers with what became of the adoption.
  absl::StatusOr<v1::TreatmentCase> RecordDecision(
      const Identity& caller, const v1::RecordDecisionRequest& request);

  // Tries every pending adoption once more (leaving one recorded less than
  // a minute ago, and not yet tried, to its request). Adopting an adopted
  // policy is harmless, so a retry after a lost answer does no harm. A
  // hearing of the policy open or unprocessed by now, or a refusal for
  // good, compensates the final approval as RecordDecision does; other
  // failures are kept on the case (attempts, last_error). The status
  // reports only storage errors.
  absl::Status RetryPendingAdoptions(absl::Time now);

 private:
  absl::StatusOr<HearingFacts> LoadFacts(Transaction& tx,
                                         const v1::TreatmentCase& c,
                                         const std::string& step_id,
                                         const std::string& hearing_name);
  // Serializes adoption intents with the opening of hearings of `policy`
  // (a name without "@revision"); OpenHearing takes the same lock.
  absl::Status LockPolicyHearings(Transaction& tx, const std::string& policy);
  // Records the policy service's answer to a pending adoption, in its own
  // transaction: adopted, still pending, or refused (compensated). Does
  // nothing to a case no longer pending. `out` is the case afterwards.
  absl::Status FinishAdoption(const TreatmentKey& key, const std::string& actor,
                              const absl::StatusOr<policy::v1::Policy>& adopted,
                              absl::Time now, v1::TreatmentCase* out);
  // The answer to a replayed RecordDecision whose stored answer has the
  // adoption pending: the case as it is now, or the refusal.
  absl::StatusOr<v1::TreatmentCase> ResolveReplayedDecision(
      Transaction& tx, const TreatmentKey& key,
      const v1::TreatmentCase& stored);

  TreatmentStore* store_;
  PolicyClient* policies_;
};

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_TREATMENT_MANAGER_H_
