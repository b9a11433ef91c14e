#include "services/hearing/treatment_logic.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"

namespace kommune::hearing {
namespace {

using common::v1::BodyReference;

bool SameBody(const BodyReference& a, const BodyReference& b) {
  return a.kind() == b.kind() && a.display_name() == b.display_name();
}

bool IsApproval(v1::DecisionOutcome outcome) {
  return outcome == v1::DECISION_OUTCOME_APPROVED ||
         outcome == v1::DECISION_OUTCOME_APPROVED_WITH_CHANGES;
}

std::string BodyNames(const v1::CaseStep& step) {
  std::vector<std::string> names;
  for (const auto& b : step.bodies()) names.push_back(b.display_name());
  return absl::StrJoin(names, ", ");
}

absl::Status ValidateBody(const BodyReference& body, absl::string_view field) {
  if (body.kind() == common::v1::BODY_KIND_UNSPECIFIED ||
      !common::v1::BodyKind_IsValid(body.kind())) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".kind: required"));
  }
  return ValidateText(body.display_name(), absl::StrCat(field, ".display_name"),
                      true, 500);
}

// Whether every body of the step has done its part (see ApplyDecision).
bool StepComplete(const v1::CaseStep& step) {
  bool converted = false;
  for (const auto& d : step.decisions()) {
    if (!d.superseded() &&
        d.outcome() == v1::DECISION_OUTCOME_CONVERTED_TO_DECISION_CASE) {
      converted = true;
    }
  }
  auto done = [&](v1::DecisionOutcome outcome) {
    if (IsApproval(outcome)) return true;
    return outcome == v1::DECISION_OUTCOME_DISCUSSED &&
           step.kind() == v1::STEP_KIND_TREATMENT && !converted;
  };
  if (step.bodies().empty()) {
    for (const auto& d : step.decisions()) {
      if (!d.superseded() && IsApproval(d.outcome())) return true;
    }
    return false;
  }
  for (const auto& body : step.bodies()) {
    const v1::Decision* latest = nullptr;
    for (const auto& d : step.decisions()) {
      if (!d.superseded() && SameBody(d.body(), body)) latest = &d;
    }
    if (latest == nullptr || !done(latest->outcome())) return false;
  }
  return true;
}

absl::string_view HearingStateName(int64_t state) {
  switch (state) {
    case 1:
      return "planned";
    case kHearingOpen:
      return "open";
    case kHearingClosed:
      return "closed but not processed";
    case kHearingProcessed:
      return "processed";
    case 5:
      return "cancelled";
    default:
      return "in an unknown state";
  }
}

int StepIndex(const v1::TreatmentCase& c, absl::string_view step_id) {
  for (int i = 0; i < c.steps_size(); ++i) {
    if (c.steps(i).step_id() == step_id) return i;
  }
  return -1;
}

absl::Status CheckInProgress(const v1::TreatmentCase& c) {
  if (c.state() == v1::CASE_STATE_ADOPTED) {
    return absl::FailedPreconditionError(
        "name: the case is finished: the policy is adopted");
  }
  if (c.state() == v1::CASE_STATE_REJECTED) {
    return absl::FailedPreconditionError(
        "name: the case is finished: the policy was rejected");
  }
  if (c.adoption().pending()) {
    return absl::FailedPreconditionError(
        "name: the final approval is recorded; the adoption waits for the "
        "policy service");
  }
  return absl::OkStatus();
}

absl::Status ValidateAgendaItem(const v1::AgendaItem& item,
                                absl::string_view field) {
  if (auto s = ValidateText(item.recommendation(),
                            absl::StrCat(field, ".recommendation"));
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < item.attachments_size(); ++i) {
    if (auto s = ValidateEsdhReference(
            item.attachments(i), absl::StrCat(field, ".attachments[", i, "]"));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

v1::ProcessTemplate TemplateWritableFields(const v1::ProcessTemplate& in) {
  v1::ProcessTemplate out;
  out.set_display_name(in.display_name());
  *out.mutable_steps() = in.steps();
  return out;
}

absl::Status ValidateTemplate(const v1::ProcessTemplate& tmpl,
                              absl::string_view field) {
  if (auto s = ValidateText(tmpl.display_name(),
                            absl::StrCat(field, ".display_name"), true, 500);
      !s.ok()) {
    return s;
  }
  if (tmpl.steps().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".steps: at least one step is required"));
  }
  std::set<std::string> ids;
  for (int i = 0; i < tmpl.steps_size(); ++i) {
    const v1::TemplateStep& step = tmpl.steps(i);
    std::string f = absl::StrCat(field, ".steps[", i, "]");
    if (auto s =
            ValidateResourceId(step.step_id(), absl::StrCat(f, ".step_id"));
        !s.ok()) {
      return s;
    }
    if (!ids.insert(step.step_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          f, ".step_id: '", step.step_id(), "' is used by an earlier step"));
    }
    if (auto s = ValidateText(step.display_name(),
                              absl::StrCat(f, ".display_name"), true, 500);
        !s.ok()) {
      return s;
    }
    if (step.kind() == v1::STEP_KIND_UNSPECIFIED ||
        !v1::StepKind_IsValid(step.kind())) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".kind: required"));
    }
    for (int b = 0; b < step.bodies_size(); ++b) {
      std::string bf = absl::StrCat(f, ".bodies[", b, "]");
      if (auto s = ValidateBody(step.bodies(b), bf); !s.ok()) return s;
      for (int e = 0; e < b; ++e) {
        if (SameBody(step.bodies(e), step.bodies(b))) {
          return absl::InvalidArgumentError(absl::StrCat(
              bf, ": '", step.bodies(b).display_name(), "' is named twice"));
        }
      }
    }
    bool decides = step.kind() == v1::STEP_KIND_TREATMENT ||
                   step.kind() == v1::STEP_KIND_ADOPTION;
    if (decides && step.bodies().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          f,
          ".bodies: a treatment or adoption step needs the bodies that "
          "decide"));
    }
    bool last = i == tmpl.steps_size() - 1;
    if (step.kind() == v1::STEP_KIND_ADOPTION && !last) {
      return absl::InvalidArgumentError(absl::StrCat(
          f, ".kind: the adoption step (the final approval) must be the last"));
    }
    if (last && step.kind() != v1::STEP_KIND_ADOPTION) {
      return absl::InvalidArgumentError(absl::StrCat(
          f,
          ".kind: the last step must be the adoption step (the final "
          "approval)"));
    }
  }
  return absl::OkStatus();
}

v1::TreatmentCase StartCase(const v1::ProcessTemplate& tmpl,
                            const v1::TreatmentCase& request_fields) {
  v1::TreatmentCase c;
  c.set_policy(request_fields.policy());
  if (request_fields.has_esdh_case()) {
    *c.mutable_esdh_case() = request_fields.esdh_case();
  }
  c.set_template_(tmpl.name());
  for (const v1::TemplateStep& t : tmpl.steps()) {
    v1::CaseStep* step = c.add_steps();
    step->set_step_id(t.step_id());
    step->set_display_name(t.display_name());
    *step->mutable_bodies() = t.bodies();
    step->set_kind(t.kind());
    step->set_state(v1::STEP_STATE_PENDING);
  }
  c.mutable_steps(0)->set_state(v1::STEP_STATE_OPEN);
  c.set_current_step_id(c.steps(0).step_id());
  c.set_state(v1::CASE_STATE_IN_PROGRESS);
  return c;
}

const v1::CaseStep* FindStep(const v1::TreatmentCase& c,
                             absl::string_view step_id) {
  int i = StepIndex(c, step_id);
  return i < 0 ? nullptr : &c.steps(i);
}

absl::Status PlanStep(const v1::UpdateCaseStepRequest& request,
                      const HearingFacts& facts, v1::TreatmentCase* c) {
  if (auto s = CheckInProgress(*c); !s.ok()) return s;
  int i = StepIndex(*c, request.step_id());
  if (i < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "step_id: the case has no step '", request.step_id(), "'"));
  }
  v1::CaseStep* step = c->mutable_steps(i);
  if (auto s = ValidateDate(request.planned_date(), "planned_date"); !s.ok()) {
    return s;
  }
  if (request.has_agenda_item()) {
    if (auto s = ValidateAgendaItem(request.agenda_item(), "agenda_item");
        !s.ok()) {
      return s;
    }
  }
  if (!request.hearing_name().empty()) {
    auto segments = ParseResourceName(
        request.hearing_name(),
        "municipalities/{municipality}/hearings/{hearing}", "hearing_name");
    if (!segments.ok()) return segments.status();
    std::string case_code =
        c->name().substr(0, c->name().find("/treatmentCases/"));
    if (absl::StrCat("municipalities/", (*segments)[0]) != case_code) {
      return absl::InvalidArgumentError(
          "hearing_name: the hearing belongs to another municipality");
    }
    if (step->kind() != v1::STEP_KIND_HEARING) {
      return absl::InvalidArgumentError(absl::StrCat(
          "hearing_name: step '", step->step_id(), "' is not a hearing step"));
    }
    if (step->state() == v1::STEP_STATE_DONE) {
      return absl::FailedPreconditionError(
          absl::StrCat("step_id: step '", step->step_id(),
                       "' is done; its hearing no longer changes"));
    }
    if (!facts.step_hearing.has_value()) {
      return absl::NotFoundError(absl::StrCat(
          "hearing_name: no hearing named '", request.hearing_name(), "'"));
    }
    if (facts.step_hearing->policy != c->policy()) {
      return absl::FailedPreconditionError(
          absl::StrCat("hearing_name: hearing '", request.hearing_name(),
                       "' is about '", facts.step_hearing->policy,
                       "', not the case's policy '", c->policy(), "'"));
    }
    step->set_hearing(request.hearing_name());
  }
  if (IsSet(request.planned_date())) {
    *step->mutable_planned_date() = request.planned_date();
  }
  if (request.has_agenda_item()) {
    *step->mutable_agenda_item() = request.agenda_item();
  }
  return absl::OkStatus();
}

absl::StatusOr<DecisionResult> ApplyDecision(const std::string& step_id,
                                             v1::Decision decision,
                                             const HearingFacts& facts,
                                             v1::TreatmentCase* c) {
  if (auto s = CheckInProgress(*c); !s.ok()) return s;
  if (step_id.empty()) return absl::InvalidArgumentError("step_id: required");
  int i = StepIndex(*c, step_id);
  if (i < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("step_id: the case has no step '", step_id, "'"));
  }
  const v1::CaseStep& step = c->steps(i);
  if (step.state() == v1::STEP_STATE_PENDING) {
    return absl::FailedPreconditionError(absl::StrCat(
        "step_id: step '", step_id, "' is not reached yet; the open step is '",
        c->current_step_id(), "'"));
  }
  if (step.state() == v1::STEP_STATE_DONE) {
    return absl::FailedPreconditionError(absl::StrCat(
        "step_id: step '", step_id, "' is already done; the open step is '",
        c->current_step_id(), "'"));
  }
  // The decision itself.
  v1::DecisionOutcome outcome = decision.outcome();
  if (outcome == v1::DECISION_OUTCOME_UNSPECIFIED ||
      !v1::DecisionOutcome_IsValid(outcome)) {
    return absl::InvalidArgumentError("decision.outcome: required");
  }
  if (auto s = ValidateDate(decision.date(), "decision.date", true); !s.ok()) {
    return s;
  }
  if (auto s = ValidateText(decision.text(), "decision.text"); !s.ok()) {
    return s;
  }
  if (auto s = ValidateText(decision.reason(), "decision.reason"); !s.ok()) {
    return s;
  }
  if (step.bodies().empty()) {
    if (decision.has_body() && (decision.body().kind() != 0 ||
                                !decision.body().display_name().empty())) {
      return absl::InvalidArgumentError(
          absl::StrCat("decision.body: step '", step_id,
                       "' has no bodies; leave the body empty"));
    }
    decision.clear_body();
  } else {
    if (decision.body().display_name().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("decision.body: required; step '", step_id,
                       "' is treated by ", BodyNames(step)));
    }
    bool known = false;
    for (const auto& b : step.bodies()) known |= SameBody(b, decision.body());
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("decision.body: '", decision.body().display_name(),
                       "' does not treat step '", step_id,
                       "' (its bodies: ", BodyNames(step), ")"));
    }
  }
  bool needs_reason = outcome == v1::DECISION_OUTCOME_POSTPONED ||
                      outcome == v1::DECISION_OUTCOME_SENT_BACK;
  if (needs_reason && decision.reason().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("decision.reason: required when the outcome is ",
                     OutcomeName(outcome)));
  }
  int back = -1;
  if (outcome == v1::DECISION_OUTCOME_SENT_BACK) {
    const std::string& target = decision.send_back_to_step_id();
    if (target.empty()) {
      return absl::InvalidArgumentError(
          "decision.send_back_to_step_id: required when the case is sent back");
    }
    back = StepIndex(*c, target);
    if (back < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("decision.send_back_to_step_id: the case has no step '",
                       target, "'"));
    }
    if (back >= i) {
      return absl::InvalidArgumentError(
          absl::StrCat("decision.send_back_to_step_id: '", target,
                       "' is not an earlier step than '", step_id, "'"));
    }
  } else if (!decision.send_back_to_step_id().empty()) {
    return absl::InvalidArgumentError(
        "decision.send_back_to_step_id: only for the outcome sent back");
  }
  if (IsApproval(outcome) && step.kind() == v1::STEP_KIND_HEARING) {
    if (step.hearing().empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("step_id: hearing step '", step_id,
                       "' names no hearing yet (set it with UpdateCaseStep)"));
    }
    int64_t state = facts.step_hearing ? facts.step_hearing->state : 0;
    if (state != kHearingProcessed) {
      return absl::FailedPreconditionError(
          absl::StrCat("step_id: hearing '", step.hearing(), "' of step '",
                       step_id, "' is ", HearingStateName(state),
                       "; the step completes when the hearing is processed"));
    }
  }

  // Record it and move the case on (on a copy, so that errors change
  // nothing).
  v1::TreatmentCase next = *c;
  v1::CaseStep* at = next.mutable_steps(i);
  DecisionResult result;
  if (outcome == v1::DECISION_OUTCOME_SENT_BACK) {
    for (int k = back; k <= i; ++k) {
      v1::CaseStep* s = next.mutable_steps(k);
      for (auto& d : *s->mutable_decisions()) d.set_superseded(true);
      s->set_state(k == back ? v1::STEP_STATE_OPEN : v1::STEP_STATE_PENDING);
    }
    next.set_current_step_id(next.steps(back).step_id());
    *at->add_decisions() = std::move(decision);
    *c = std::move(next);
    return result;
  }
  *at->add_decisions() = std::move(decision);
  if (outcome == v1::DECISION_OUTCOME_REJECTED) {
    at->set_state(v1::STEP_STATE_DONE);
    next.set_state(v1::CASE_STATE_REJECTED);
    next.clear_current_step_id();
  } else if (StepComplete(*at)) {
    if (at->kind() == v1::STEP_KIND_ADOPTION) {
      for (const HearingRow& h : facts.policy_hearings) {
        if (h.state == kHearingOpen || h.state == kHearingClosed) {
          return absl::FailedPreconditionError(absl::StrCat(
              "step_id: the policy cannot be adopted while its hearing '",
              h.name, "' is ", HearingStateName(h.state)));
        }
      }
      result.adopts = true;
    }
    at->set_state(v1::STEP_STATE_DONE);
    if (i + 1 < next.steps_size()) {
      next.mutable_steps(i + 1)->set_state(v1::STEP_STATE_OPEN);
      next.set_current_step_id(next.steps(i + 1).step_id());
    } else {
      next.clear_current_step_id();
    }
  }
  *c = std::move(next);
  return result;
}

absl::string_view OutcomeName(v1::DecisionOutcome outcome) {
  switch (outcome) {
    case v1::DECISION_OUTCOME_APPROVED:
      return "approved";
    case v1::DECISION_OUTCOME_APPROVED_WITH_CHANGES:
      return "approved with changes";
    case v1::DECISION_OUTCOME_DISCUSSED:
      return "discussed";
    case v1::DECISION_OUTCOME_POSTPONED:
      return "postponed";
    case v1::DECISION_OUTCOME_REJECTED:
      return "rejected";
    case v1::DECISION_OUTCOME_CONVERTED_TO_DECISION_CASE:
      return "converted to a decision case";
    case v1::DECISION_OUTCOME_SENT_BACK:
      return "sent back";
    default:
      return "unspecified";
  }
}

}  // namespace kommune::hearing
