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

// The policy service could not be reached: worth retrying later.
bool IsUnreachable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
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
  status = store_->db().Write([&](Transaction& tx) -> absl::Status {
    auto r = store_->Replay(tx, *code, request.request_id(), fingerprint, &out);
    if (!r.ok() || *r) return r.status();
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

  // The policy service's answer to the adoption, once asked.
  std::optional<absl::StatusOr<policy::v1::Policy>> adopted;
  bool needs_adoption = false;
  common::v1::Date adopt_date;
  std::string policy_name;
  v1::TreatmentCase out;
  auto attempt = [&](Transaction& tx) -> absl::Status {
    needs_adoption = false;
    auto r = store_->Replay(tx, code, request.request_id(), fingerprint, &out);
    if (!r.ok() || *r) return r.status();
    if (auto s = store_->LockCase(tx, *key); !s.ok()) return s;
    auto c = store_->LoadCase(tx, *key, "name");
    if (!c.ok()) return c.status();
    auto facts = LoadFacts(tx, *c, request.step_id(), "");
    if (!facts.ok()) return facts.status();
    absl::Time now = absl::Now();
    v1::Decision d = decision;
    *d.mutable_record_time() = ToTimestamp(now);
    auto result = ApplyDecision(request.step_id(), d, *facts, &*c);
    if (!result.ok()) return result.status();
    std::vector<std::string> events = {"treatment_case.decision_recorded"};
    if (result->adopts) {
      if (!adopted.has_value()) {
        // Ask the policy service outside the transaction, then come back.
        needs_adoption = true;
        adopt_date = decision.date();
        policy_name = c->policy();
        return absl::CancelledError("adoption first");
      }
      if (adopted->ok()) {
        MarkAdopted(**adopted, now, &*c);
        events.push_back("treatment_case.adopted");
      } else if (IsUnreachable(adopted->status())) {
        v1::Adoption* a = c->mutable_adoption();
        a->set_pending(true);
        a->set_attempts(1);
        a->set_last_error(adopted->status().ToString());
        events.push_back("treatment_case.adoption_pending");
      } else {
        return absl::Status(
            adopted->status().code(),
            absl::StrCat("step_id: the policy service refused to adopt '",
                         c->policy(), "': ", adopted->status().message()));
      }
    } else if (adopted.has_value()) {
      // The case moved on while the policy service was asked.
      return absl::AbortedError(
          "name: the case changed while the policy was being adopted; read "
          "it again");
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
  if (needs_adoption) {
    adopted = policies_->Adopt(caller, policy_name, adopt_date);
    status = store_->db().Write(attempt);
  }
  if (!status.ok()) return status;
  return out;
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
    v1::TreatmentCase c;
    status = store_->db().Read([&](Transaction& tx) -> absl::Status {
      auto loaded = store_->LoadCase(tx, key, "name");
      if (!loaded.ok()) return loaded.status();
      c = *std::move(loaded);
      return absl::OkStatus();
    });
    if (!status.ok()) {
      first_error.Update(status);
      continue;
    }
    const v1::Decision* approval = FinalApproval(c);
    if (!c.adoption().pending() || approval == nullptr) continue;
    // On behalf of the secretary who recorded the final approval.
    Identity on_behalf{{key.municipality_code},
                       {Role::kSecretary},
                       approval->recorded_by().empty()
                           ? std::string("treatment-service")
                           : approval->recorded_by()};
    absl::StatusOr<policy::v1::Policy> adopted =
        policies_->Adopt(on_behalf, c.policy(), approval->date());
    status = store_->db().Write([&](Transaction& tx) -> absl::Status {
      if (auto s = store_->LockCase(tx, key); !s.ok()) return s;
      auto current = store_->LoadCase(tx, key, "name");
      if (!current.ok()) return current.status();
      if (!current->adoption().pending()) return absl::OkStatus();
      std::string event;
      if (adopted.ok()) {
        MarkAdopted(*adopted, now, &*current);
        event = "treatment_case.adopted";
      } else {
        v1::Adoption* a = current->mutable_adoption();
        a->set_attempts(a->attempts() + 1);
        a->set_last_error(adopted.status().ToString());
        event = "treatment_case.adoption_retry_failed";
      }
      *current->mutable_update_time() = ToTimestamp(now);
      return store_->SaveCase(tx, key, &*current, false, on_behalf.subject,
                              {event});
    });
    first_error.Update(status);
  }
  return first_error;
}

}  // namespace kommune::hearing
