#ifndef KOMMUNE_SERVICES_HEARING_TREATMENT_LOGIC_H_
#define KOMMUNE_SERVICES_HEARING_TREATMENT_LOGIC_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kommune/hearing/v1/hearing_service.pb.h"
#include "kommune/hearing/v1/treatment.pb.h"
#include "services/hearing/treatment_store.h"

namespace kommune::hearing {

// The rules of political treatment, free of storage and transport. Every
// error's message starts with the request field it is about.

// The fields of a template its author writes.
v1::ProcessTemplate TemplateWritableFields(const v1::ProcessTemplate& in);

// A template needs a title and at least one step; step ids are resource ids
// and unique; every step has a title and a kind; treatment and adoption
// steps name the bodies that decide (each with kind and name, none twice);
// exactly one adoption step (the final approval), and it comes last.
absl::Status ValidateTemplate(const v1::ProcessTemplate& tmpl,
                              absl::string_view field);

// A new case following `tmpl`: its steps copied, the first one open.
v1::TreatmentCase StartCase(const v1::ProcessTemplate& tmpl,
                            const v1::TreatmentCase& request_fields);

// What the caller read from the hearings table for a decision or a plan.
struct HearingFacts {
  // The hearing named by the step (or by the request), when it exists.
  std::optional<HearingRow> step_hearing;
  // Every hearing of the case's policy.
  std::vector<HearingRow> policy_hearings;
};

// Plans a step (UpdateCaseStep): date, agenda item and, for a hearing
// step, its hearing (which must exist, in `facts.step_hearing`, and be
// about the case's policy).
absl::Status PlanStep(const v1::UpdateCaseStepRequest& request,
                      const HearingFacts& facts, v1::TreatmentCase* c);

// The step a decision is about, for the caller to look its hearing up;
// nullptr when the case has no such step.
const v1::CaseStep* FindStep(const v1::TreatmentCase& c,
                             absl::string_view step_id);

struct DecisionResult {
  // The decision completed the adoption step: the policy is to be adopted
  // on the decision's date.
  bool adopts = false;
};

// Records `decision` at the open step `step_id` and moves the case on:
//  - approved / approved with changes: the body's part is done; the step
//    completes when every body of the step has approved (a step without
//    bodies, administration or hearing, on one approval). A hearing step
//    can only be approved once its hearing is processed; the adoption step
//    only while no hearing of the policy is open or closed-but-unprocessed.
//  - discussed: recorded. It completes the body's part only at a TREATMENT
//    step that has not been converted to a decision case (a discussion item,
//    drøftelsessag, needs no decision); elsewhere the step waits for an
//    approval.
//  - postponed (reason required), converted to a decision case: recorded,
//    the step stays open.
//  - rejected: the case is rejected and finished.
//  - sent back (reason and an earlier send_back_to_step_id required): that
//    step reopens, the steps after it become pending again, and the
//    decisions made at them since are kept but marked superseded.
// The case is changed only when the result is OK.
absl::StatusOr<DecisionResult> ApplyDecision(const std::string& step_id,
                                             v1::Decision decision,
                                             const HearingFacts& facts,
                                             v1::TreatmentCase* c);

absl::string_view OutcomeName(v1::DecisionOutcome outcome);

}  // namespace kommune::hearing

#endif  // KOMMUNE_SERVICES_HEARING_TREATMENT_LOGIC_H_
