#include "services/hearing/treatment_manager.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/resource_name.h"
#include "services/common/validation.h"
#include "services/hearing/treatment_access.h"
#include "services/hearing/treatment_requests.h"

namespace kommune::hearing {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// How long the retry loop leaves a just recorded adoption to the request
// that recorded it (which asks the policy service right after the commit;
// its calls time out after 10 s).
constexpr absl::Duration kFirstAttemptLease = absl::Minutes(1);

// The policy service could not be reached or asks to try again: the
// adoption stays pending. Any other answer is a refusal for good.
bool IsTransient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsAborted(status) || absl::IsResourceExhausted(status);
}

// What RecordDecision answers when the adoption was refused for good (and
// the final approval compensated).
absl::Status RefusalError(const std::string& policy, absl::string_view reason) {
  return absl::FailedPreconditionError(absl::StrCat(
      "step_id: the policy service refused to adopt '", policy, "': ", reason));
}
absl::Status ReplayedRefusalError(const std::string& policy,
                                  absl::string_view reason) {
  return absl::FailedPreconditionError(absl::StrCat(
      "step_id: the adoption of '", policy,
      "' was refused and the final approval superseded: ", reason));
}

// Paging over ids within a municipality.
struct Page {
  std::string after;
  int size = 0;
};

absl::StatusOr<Page> ReadPage(absl::string_view scope, int page_size,
                              const std::string& token) {
  auto size = PageSize(page_size, kDefaultPageSize, kMaxPageSize);
  if (!size.ok()) return size.status();
  Page page{"", *size};
  if (!token.empty()) {
    auto after = ReadPageToken(token, scope);
    if (!after.ok()) return after.status();
    page.after = *after;
  }
  return page;
}

std::string IdOf(const std::string& name) {
  return name.substr(name.rfind('/') + 1);
}

// The final approval: the last decision of the adoption step.
const v1::Decision* FinalApproval(const v1::TreatmentCase& c) {
  if (c.steps().empty() || c.steps().rbegin()->decisions().empty()) {
    return nullptr;
  }
  return &*c.steps().rbegin()->decisions().rbegin();
}

// Who recorded the final approval, to act for in the background.
std::string RecordedBy(const v1::TreatmentCase& c) {
  const v1::Decision* approval = FinalApproval(c);
  if (approval == nullptr || approval->recorded_by().empty()) {
    return "treatment-service";
  }
  return approval->recorded_by();
}

// Undoes a final approval whose adoption was refused for good: the decision
// is kept but superseded, the adoption step is open again, the adoption no
// longer pending (its last_error says why).
void Compensate(const absl::Status& refusal, v1::TreatmentCase* c) {
  if (!c->steps().empty()) {
    v1::CaseStep* step = c->mutable_steps(c->steps_size() - 1);
    if (!step->decisions().empty()) {
      step->mutable_decisions(step->decisions_size() - 1)->set_superseded(true);
    }
    step->set_state(v1::STEP_STATE_OPEN);
    c->set_current_step_id(step->step_id());
  }
  v1::Adoption* a = c->mutable_adoption();
  a->set_pending(false);
  a->clear_policy_revision();
  a->clear_adopt_time();
  a->set_last_error(refusal.ToString());
  c->set_state(v1::CASE_STATE_IN_PROGRESS);
}

void MarkAdopted(const policy::v1::Policy& adopted, absl::Time now,
                 v1::TreatmentCase* c) {
  v1::Adoption* a = c->mutable_adoption();
  a->set_policy_revision(
      absl::StrCat(adopted.name(), "@", adopted.revision_id()));
  a->set_pending(false);
  a->set_attempts(a->attempts() + 1);
  a->clear_last_error();
  *a->mutable_adopt_time() = ToTimestamp(now);
  c->set_state(v1::CASE_STATE_ADOPTED);
}

}  // namespace

// ---- Process templates ----

absl::StatusOr<v1::ProcessTemplate> TreatmentManager::CreateTemplate(
    const Identity& caller, const v1::CreateProcessTemplateRequest& request) {
  auto code = ParseTreatmentParent(request.parent(), "parent");
  if (!code.ok()) return code.status();
  if (auto s = CheckTreatmentWrite(caller, *code, "parent"); !s.ok()) return s;
  if (auto s = ValidateResourceId(request.process_template_id(),
                                  "process_template_id");
      !s.ok()) {
    return s;
  }
  v1::ProcessTemplate tmpl = TemplateWritableFields(request.process_template());
  if (auto s = ValidateTemplate(tmpl, "process_template"); !s.ok()) return s;
  TreatmentKey key{*code, request.process_template_id()};
  absl::Status status = store_->db().Write([&](Transaction& tx) {
    return store_->SaveTemplate(tx, key, &tmpl, true, caller.subject,
                                "process_template.created");
  });
  if (!status.ok()) return status;
  return tmpl;
}

absl::StatusOr<v1::ProcessTemplate> TreatmentManager::GetTemplate(
    const Identity& caller, const v1::GetProcessTemplateRequest& request) {
  auto key = ParseTemplateName(request.name(), "name");
  if (!key.ok()) return key.status();
  if (auto s = CheckTreatmentRead(caller, key->municipality_code, "name");
      !s.ok()) {
    return s;
  }
  v1::ProcessTemplate out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto loaded = store_->LoadTemplate(tx, *key, "name");
    if (!loaded.ok()) return loaded.status();
    out = *std::move(loaded);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ListProcessTemplatesResponse>
TreatmentManager::ListTemplates(
    const Identity& caller, const v1::ListProcessTemplatesRequest& request) {
  auto code = ParseTreatmentParent(request.parent(), "parent");
  if (!code.ok()) return code.status();
  if (auto s = CheckTreatmentRead(caller, *code, "parent"); !s.ok()) return s;
  std::string scope = absl::StrCat("ListProcessTemplates/", *code);
  auto page = ReadPage(scope, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  v1::ListProcessTemplatesResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    out.Clear();
    auto list = store_->ListTemplates(tx, *code, page->after, page->size + 1);
    if (!list.ok()) return list.status();
    for (auto& t : *list) {
      if (out.process_templates_size() == page->size) {
        out.set_next_page_token(MakePageToken(
            scope, IdOf(out.process_templates().rbegin()->name())));
        break;
      }
      *out.add_process_templates() = std::move(t);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ProcessTemplate> TreatmentManager::UpdateTemplate(
    const Identity& caller, const v1::UpdateProcessTemplateRequest& request) {
  const v1::ProcessTemplate& given = request.process_template();
  auto key = ParseTemplateName(given.name(), "process_template.name");
  if (!key.ok()) return key.status();
  if (auto s = CheckTreatmentWrite(caller, key->municipality_code,
                                   "process_template.name");
      !s.ok()) {
    return s;
  }
  bool display_name = request.update_mask().paths().empty();
  bool steps = display_name;
  for (const std::string& path : request.update_mask().paths()) {
    if (path == "display_name") {
      display_name = true;
    } else if (path == "steps") {
      steps = true;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: '", path,
                       "' is not a writable field (display_name, steps)"));
    }
  }
  v1::ProcessTemplate out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        // Updates of a template go one at a time, so that the etag checked
        // below is still the stored one when this one writes.
        if (auto s =
                tx.Lock(absl::StrCat("process_template:", TemplateName(*key)));
            !s.ok()) {
          return s;
        }
        auto current = store_->LoadTemplate(tx, *key, "process_template.name");
        if (!current.ok()) return current.status();
        if (!given.etag().empty() && given.etag() != current->etag()) {
          return absl::AbortedError(
              absl::StrCat("process_template.etag: the template changed since ",
                           given.etag(), "; read it again and retry"));
        }
        v1::ProcessTemplate next = TemplateWritableFields(*current);
        if (display_name) next.set_display_name(given.display_name());
        if (steps) *next.mutable_steps() = given.steps();
        if (auto s = ValidateTemplate(next, "process_template"); !s.ok()) {
          return s;
        }
        if (auto s =
                store_->SaveTemplate(tx, *key, &next, false, caller.subject,
                                     "process_template.updated");
            !s.ok()) {
          return s;
        }
        out = std::move(next);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::Status TreatmentManager::DeleteTemplate(
    const Identity& caller, const v1::DeleteProcessTemplateRequest& request) {
  auto key = ParseTemplateName(request.name(), "name");
  if (!key.ok()) return key.status();
  if (auto s = CheckTreatmentWrite(caller, key->municipality_code, "name");
      !s.ok()) {
    return s;
  }
  // Cases keep their own copy of the steps, so deleting is always safe.
  return store_->db().Write([&](Transaction& tx) -> absl::Status {
    auto current = store_->LoadTemplate(tx, *key, "name");
    if (!current.ok()) return current.status();
    return store_->DeleteTemplate(tx, *key, caller.subject);
  });
}

// ---- Treatment cases ----

absl::StatusOr<v1::TreatmentCase> TreatmentManager::CreateCase(
    const Identity& caller, const v1::CreateTreatmentCaseRequest& request) {
  auto code = ParseTreatmentParent(request.parent(), "parent");
  if (!code.ok()) return code.status();
  if (auto s = CheckTreatmentWrite(caller, *code, "parent"); !s.ok()) return s;
  if (auto s =
          ValidateResourceId(request.treatment_case_id(), "treatment_case_id");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckTreatmentRequestId(request.request_id()); !s.ok()) return s;
  const v1::TreatmentCase& given = request.treatment_case();
  if (given.policy().empty()) {
    return absl::InvalidArgumentError("treatment_case.policy: required");
  }
  auto policy_code =
      ParsePolicyMunicipality(given.policy(), "treatment_case.policy");
  if (!policy_code.ok()) return policy_code.status();
  if (*policy_code != *code) {
    return absl::InvalidArgumentError(absl::StrCat(
        "treatment_case.policy: the policy belongs to municipality ",
        *policy_code, ", not ", *code));
  }
  if (given.template_().empty()) {
    return absl::InvalidArgumentError("treatment_case.template: required");
  }
  auto template_key =
      ParseTemplateName(given.template_(), "treatment_case.template");
  if (!template_key.ok()) return template_key.status();
  if (template_key->municipality_code != *code) {
    return absl::InvalidArgumentError(absl::StrCat(
        "treatment_case.template: the template belongs to municipality ",
        template_key->municipality_code, ", not ", *code));
  }
  if (auto s =
          ValidateEsdhReference(given.esdh_case(), "treatment_case.esdh_case");
      !s.ok()) {
    return s;
  }
  TreatmentKey key{*code, request.treatment_case_id()};
  std::string fingerprint = Fingerprint(request);
  v1::TreatmentCase out;
  // A retry must not ask the policy service again.
  bool replayed = false;
  absl::Status status = store_->db().Read([&](Transaction& tx) {
    auto r = store_->Replay(tx, *code, request.request_id(), fingerprint, &out);
    if (!r.ok()) return r.status();
    replayed = *r;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (replayed) return out;
  auto policy = policies_->GetPolicy(caller, given.policy());
  if (!policy.ok()) {
    return absl::Status(
        policy.status().code(),
        absl::StrCat("treatment_case.policy: ", policy.status().message()));
  }
  if (policy->state() == policy::v1::POLICY_STATE_ADOPTED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "treatment_case.policy: '", given.policy(), "' is already adopted"));
  }
  status = store_->db().Write([&](Transaction& tx) -> absl::Status {
    auto r = store_->Replay(tx, *code, request.request_id(), fingerprint, &out);
    if (!r.ok() || *r) return r.status();
    // One case at a time per policy: creators of cases of a policy go one
    // at a time.
    if (auto s = tx.Lock(absl::StrCat("policy-cases:", given.policy()));
        !s.ok()) {
      return s;
    }
    auto others = store_->CasesOfPolicy(tx, given.policy());
    if (!others.ok()) return others.status();
    for (const auto& [other, state] : *others) {
      // The same id is reported by SaveCase as treatment_case_id.
      if (other.municipality_code == key.municipality_code &&
          other.id == key.id) {
        continue;
      }
      if (state == v1::CASE_STATE_IN_PROGRESS) {
        return absl::AlreadyExistsError(
            absl::StrCat("treatment_case.policy: '", given.policy(),
                         "' is already being treated by ", CaseName(other)));
      }
    }
    auto tmpl =
        store_->LoadTemplate(tx, *template_key, "treatment_case.template");
    if (!tmpl.ok()) return tmpl.status();
    v1::TreatmentCase c = StartCase(*tmpl, given);
    google::protobuf::Timestamp now = ToTimestamp(absl::Now());
    *c.mutable_create_time() = now;
    *c.mutable_update_time() = now;
    if (auto s = store_->SaveCase(tx, key, &c, true, caller.subject,
                                  {"treatment_case.created"});
        !s.ok()) {
      return s;
    }
    out = std::move(c);
    return store_->SaveResponse(tx, *code, request.request_id(), fingerprint,
                                out);
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::TreatmentCase> TreatmentManager::GetCase(
    const Identity& caller, const v1::GetTreatmentCaseRequest& request) {
  auto key = ParseCaseName(request.name(), "name");
  if (!key.ok()) return key.status();
  if (auto s = CheckTreatmentRead(caller, key->municipality_code, "name");
      !s.ok()) {
    return s;
  }
  v1::TreatmentCase out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto loaded = store_->LoadCase(tx, *key, "name");
    if (!loaded.ok()) return loaded.status();
    out = *std::move(loaded);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::ListTreatmentCasesResponse> TreatmentManager::ListCases(
    const Identity& caller, const v1::ListTreatmentCasesRequest& request) {
  auto code = ParseTreatmentParent(request.parent(), "parent");
  if (!code.ok()) return code.status();
  if (auto s = CheckTreatmentRead(caller, *code, "parent"); !s.ok()) return s;
  std::string scope = absl::StrCat("ListTreatmentCases/", *code);
  auto page = ReadPage(scope, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  v1::ListTreatmentCasesResponse out;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    out.Clear();
    auto list = store_->ListCases(tx, *code, page->after, page->size + 1);
    if (!list.ok()) return list.status();
    for (auto& c : *list) {
      if (out.treatment_cases_size() == page->size) {
        out.set_next_page_token(
            MakePageToken(scope, IdOf(out.treatment_cases().rbegin()->name())));
        break;
      }
      *out.add_treatment_cases() = std::move(c);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<HearingFacts> TreatmentManager::LoadFacts(
    Transaction& tx, const v1::TreatmentCase& c, const std::string& step_id,
    const std::string& hearing_name) {
  HearingFacts facts;
  const v1::CaseStep* step = FindStep(c, step_id);
  std::string hearing = hearing_name;
  if (hearing.empty() && step != nullptr) hearing = step->hearing();
  if (!hearing.empty()) {
    auto found = store_->FindHearing(tx, hearing);
    if (!found.ok()) return found.status();
    facts.step_hearing = *std::move(found);
  }
  if (step != nullptr && step->kind() == v1::STEP_KIND_ADOPTION) {
    auto all = store_->HearingsOfPolicy(tx, c.policy());
    if (!all.ok()) return all.status();
    facts.policy_hearings = *std::move(all);
  }
  return facts;
}

absl::StatusOr<v1::TreatmentCase> TreatmentManager::UpdateCaseStep(
    const Identity& caller, const v1::UpdateCaseStepRequest& request) {
  auto key = ParseCaseName(request.name(), "name");
  if (!key.ok()) return key.status();
  if (auto s = CheckTreatmentWrite(caller, key->municipality_code, "name");
      !s.ok()) {
    return s;
  }
  if (request.step_id().empty()) {
    return absl::InvalidArgumentError("step_id: required");
  }
  v1::TreatmentCase out;
  absl::Status status =
      store_->db().Write([&](Transaction& tx) -> absl::Status {
        if (auto s = store_->LockCase(tx, *key); !s.ok()) return s;
        auto c = store_->LoadCase(tx, *key, "name");
        if (!c.ok()) return c.status();
        auto facts =
            LoadFacts(tx, *c, request.step_id(), request.hearing_name());
        if (!facts.ok()) return facts.status();
        if (auto s = PlanStep(request, *facts, &*c); !s.ok()) return s;
        *c->mutable_update_time() = ToTimestamp(absl::Now());
        if (auto s = store_->SaveCase(tx, *key, &*c, false, caller.subject,
                                      {"treatment_case.step_planned"});
            !s.ok()) {
          return s;
        }
        out = *std::move(c);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<v1::TreatmentCase> TreatmentManager::RecordDecision(
    const Identity& caller, const v1::RecordDecisionRequest& request) {
  auto key = ParseCaseName(request.name(), "name");
  if (!key.ok()) return key.status();
  if (auto s = CheckTreatmentWrite(caller, key->municipality_code, "name");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckTreatmentRequestId(request.request_id()); !s.ok()) return s;
  if (!request.has_decision()) {
    return absl::InvalidArgumentError("decision: required");
  }
  const std::string fingerprint = Fingerprint(request);
  const std::string& code = key->municipality_code;
  v1::Decision decision = request.decision();
  decision.set_superseded(false);
  decision.set_recorded_by(caller.subject);

  // The policy's revision when the final approval is recorded, read from
  // the policy service before the transaction ("" when it cannot be
  // reached: the adoption then fills it in).
  std::optional<std::string> revision;
  bool needs_revision = false;
  // Set when this request (not a replay) recorded an adoption intent.
  bool adopts = false;
  std::string policy_name;
  v1::TreatmentCase out;
  // One transaction records the decision and, at the final approval, the
  // adoption intent (outbox): the step done, adoption.pending, the revision
  // and the events. The policy service is asked only after it commits.
  auto attempt = [&](Transaction& tx) -> absl::Status {
    needs_revision = false;
    adopts = false;
    auto r = store_->Replay(tx, code, request.request_id(), fingerprint, &out);
    if (!r.ok()) return r.status();
    if (*r) {
      auto resolved = ResolveReplayedDecision(tx, *key, out);
      if (!resolved.ok()) return resolved.status();
      out = *std::move(resolved);
      return absl::OkStatus();
    }
    if (auto s = store_->LockCase(tx, *key); !s.ok()) return s;
    auto c = store_->LoadCase(tx, *key, "name");
    if (!c.ok()) return c.status();
    const v1::CaseStep* step = FindStep(*c, request.step_id());
    if (step != nullptr && step->kind() == v1::STEP_KIND_ADOPTION) {
      // Hearings of the policy are opened under the same lock, so the
      // hearings read below stay as they are until this commits, and once
      // the adoption is pending no hearing opens.
      if (auto s = LockPolicyHearings(tx, c->policy()); !s.ok()) return s;
    }
    auto facts = LoadFacts(tx, *c, request.step_id(), "");
    if (!facts.ok()) return facts.status();
    absl::Time now = absl::Now();
    v1::Decision d = decision;
    *d.mutable_record_time() = ToTimestamp(now);
    auto result = ApplyDecision(request.step_id(), d, *facts, &*c);
    if (!result.ok()) return result.status();
    std::vector<std::string> events = {"treatment_case.decision_recorded"};
    if (result->adopts) {
      if (!revision.has_value()) {
        // Read the revision outside the transaction, then come back.
        needs_revision = true;
        policy_name = c->policy();
        return absl::CancelledError("the policy's revision first");
      }
      v1::Adoption* a = c->mutable_adoption();
      a->set_pending(true);
      a->set_policy_revision(*revision);
      a->set_attempts(0);
      a->clear_last_error();
      a->clear_adopt_time();
      events.push_back("treatment_case.adoption_pending");
      adopts = true;
      policy_name = c->policy();
    }
    if (c->state() == v1::CASE_STATE_REJECTED) {
      events.push_back("treatment_case.rejected");
    }
    *c->mutable_update_time() = ToTimestamp(now);
    if (auto s = store_->SaveCase(tx, *key, &*c, false, caller.subject, events);
        !s.ok()) {
      return s;
    }
    out = *std::move(c);
    return store_->SaveResponse(tx, code, request.request_id(), fingerprint,
                                out);
  };
  absl::Status status = store_->db().Write(attempt);
  if (needs_revision) {
    auto policy = policies_->GetPolicy(caller, policy_name);
    if (policy.ok()) {
      revision = absl::StrCat(policy_name, "@", policy->revision_id());
    } else if (IsTransient(policy.status())) {
      revision = "";
    } else {
      return absl::Status(
          policy.status().code(),
          absl::StrCat("step_id: the policy service cannot give policy '",
                       policy_name, "' to adopt: ", policy.status().message()));
    }
    // The case's policy never changes, so this round needs no revision.
    status = store_->db().Write(attempt);
  }
  if (!status.ok()) return status;
  if (!adopts) return out;

  // The intent is committed: ask the policy service. Whatever happens from
  // here on, the case already records the decision; a lost answer or a
  // failed write below leaves the adoption pending for the retry loop.
  absl::StatusOr<policy::v1::Policy> adopted =
      policies_->Adopt(caller, policy_name, decision.date());
  v1::TreatmentCase finished;
  status =
      FinishAdoption(*key, caller.subject, adopted, absl::Now(), &finished);
  if (!adopted.ok() && !IsTransient(adopted.status())) {
    return RefusalError(policy_name, adopted.status().message());
  }
  if (!status.ok()) return out;  // still pending: the retry loop finishes it
  return finished;
}

absl::StatusOr<v1::TreatmentCase> TreatmentManager::ResolveReplayedDecision(
    Transaction& tx, const TreatmentKey& key, const v1::TreatmentCase& stored) {
  if (!stored.adoption().pending()) return stored;
  // The request recorded a final approval with the adoption pending; say
  // what became of it.
  const v1::Decision* recorded = FinalApproval(stored);
  auto current = store_->LoadCase(tx, key, "name");
  if (!current.ok()) return current.status();
  if (recorded == nullptr || current->steps().empty()) return stored;
  for (const v1::Decision& d : current->steps().rbegin()->decisions()) {
    if (d.record_time().SerializeAsString() !=
            recorded->record_time().SerializeAsString() ||
        d.recorded_by() != recorded->recorded_by()) {
      continue;
    }
    // No decision can be recorded while the adoption is pending, so only
    // the compensation of a refusal supersedes this one.
    if (d.superseded()) {
      return ReplayedRefusalError(current->policy(),
                                  current->adoption().last_error());
    }
    return *std::move(current);
  }
  return stored;
}

absl::Status TreatmentManager::LockPolicyHearings(Transaction& tx,
                                                  const std::string& policy) {
  return tx.Lock(absl::StrCat("policy-hearings:", policy));
}

absl::Status TreatmentManager::FinishAdoption(
    const TreatmentKey& key, const std::string& actor,
    const absl::StatusOr<policy::v1::Policy>& adopted, absl::Time now,
    v1::TreatmentCase* out) {
  return store_->db().Write([&](Transaction& tx) -> absl::Status {
    if (auto s = store_->LockCase(tx, key); !s.ok()) return s;
    auto current = store_->LoadCase(tx, key, "name");
    if (!current.ok()) return current.status();
    if (!current->adoption().pending()) {
      // Finished meanwhile (by the retry loop or this request's twin).
      *out = *std::move(current);
      return absl::OkStatus();
    }
    std::string event;
    if (adopted.ok()) {
      MarkAdopted(*adopted, now, &*current);
      event = "treatment_case.adopted";
    } else if (IsTransient(adopted.status())) {
      v1::Adoption* a = current->mutable_adoption();
      a->set_attempts(a->attempts() + 1);
      a->set_last_error(adopted.status().ToString());
      event = "treatment_case.adoption_retry_failed";
    } else {
      v1::Adoption* a = current->mutable_adoption();
      a->set_attempts(a->attempts() + 1);
      Compensate(adopted.status(), &*current);
      event = "treatment_case.adoption_refused";
    }
    *current->mutable_update_time() = ToTimestamp(now);
    if (auto s = store_->SaveCase(tx, key, &*current, false, actor, {event});
        !s.ok()) {
      return s;
    }
    *out = *std::move(current);
    return absl::OkStatus();
  });
}

absl::Status TreatmentManager::RetryPendingAdoptions(absl::Time now) {
  std::vector<TreatmentKey> keys;
  absl::Status status = store_->db().Read([&](Transaction& tx) -> absl::Status {
    auto pending = store_->PendingAdoptions(tx);
    if (!pending.ok()) return pending.status();
    keys = *std::move(pending);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  absl::Status first_error;
  for (const TreatmentKey& key : keys) {
    // Before asking, under the case's and the policy's locks: still
    // pending, not just recorded by a request that is asking right now,
    // and no hearing of the policy open or unprocessed (else compensate:
    // the policy is not adopted).
    v1::TreatmentCase c;
    bool ask = false;
    status = store_->db().Write([&](Transaction& tx) -> absl::Status {
      ask = false;
      if (auto s = store_->LockCase(tx, key); !s.ok()) return s;
      auto current = store_->LoadCase(tx, key, "name");
      if (!current.ok()) return current.status();
      if (!current->adoption().pending() ||
          FinalApproval(*current) == nullptr) {
        return absl::OkStatus();
      }
      if (current->adoption().attempts() == 0 &&
          now - absl::FromUnixMicros(
                    TimeUtil::TimestampToMicroseconds(current->update_time())) <
              kFirstAttemptLease) {
        return absl::OkStatus();
      }
      if (auto s = LockPolicyHearings(tx, current->policy()); !s.ok()) {
        return s;
      }
      auto hearings = store_->HearingsOfPolicy(tx, current->policy());
      if (!hearings.ok()) return hearings.status();
      for (const HearingRow& h : *hearings) {
        if (h.state != kHearingOpen && h.state != kHearingClosed) continue;
        Compensate(
            absl::FailedPreconditionError(absl::StrCat(
                "the policy cannot be adopted while its hearing '", h.name,
                "' is ",
                h.state == kHearingOpen ? "open" : "closed but not processed")),
            &*current);
        *current->mutable_update_time() = ToTimestamp(now);
        return store_->SaveCase(tx, key, &*current, false, RecordedBy(*current),
                                {"treatment_case.adoption_refused"});
      }
      c = *std::move(current);
      ask = true;
      return absl::OkStatus();
    });
    if (!status.ok() || !ask) {
      first_error.Update(status);
      continue;
    }
    const v1::Decision* approval = FinalApproval(c);
    // On behalf of the secretary who recorded the final approval.
    Identity on_behalf{
        {key.municipality_code}, {Role::kSecretary}, RecordedBy(c)};
    absl::StatusOr<policy::v1::Policy> adopted =
        policies_->Adopt(on_behalf, c.policy(), approval->date());
    v1::TreatmentCase finished;
    first_error.Update(
        FinishAdoption(key, on_behalf.subject, adopted, now, &finished));
  }
  return first_error;
}

}  // namespace kommune::hearing
