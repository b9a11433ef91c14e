// kommunectl treatment ...: political treatment of policies
// (kommune.hearing.v1.TreatmentService): process templates, treatment
// cases, planning steps and recording decisions.
#include "tools/kommunectl/treatment_commands.h"

#include <functional>
#include <iostream>
#include <map>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kommunectl/client_context.h"
#include "tools/kommunectl/subcommands.h"

ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(std::string, policy);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(std::string, text);

ABSL_FLAG(std::string, template, "",
          "treatment case create: the process template (an id in "
          "--municipality or a full name).");
ABSL_FLAG(std::string, step, "",
          "treatment step and decide: the step's id, e.g. fagudvalg.");
ABSL_FLAG(std::string, date, "",
          "treatment step: the meeting day; treatment decide: the day of "
          "the decision; followup status, summary and report create: the "
          "day judged (YYYY-MM-DD; today when empty).");
ABSL_FLAG(std::string, recommendation, "",
          "treatment step: the agenda item's recommendation (indstilling).");
ABSL_FLAG(std::string, hearing, "",
          "treatment step: the hearing of a hearing step (an id in "
          "--municipality or a full name).");
ABSL_FLAG(std::string, body_kind, "",
          "treatment decide: the deciding body's kind: committee, "
          "finance_committee, city_council or council.");
ABSL_FLAG(std::string, body_name, "",
          "treatment decide: the deciding body's name as in the template.");
ABSL_FLAG(std::string, outcome, "",
          "treatment decide: approved, approved_with_changes, discussed, "
          "postponed, rejected, converted_to_decision_case or sent_back.");
ABSL_FLAG(std::string, send_back_to, "",
          "treatment decide: for sent_back, the earlier step's id.");

namespace kommune::ctl {
namespace {

namespace v1 = kommune::hearing::v1;
using Stub = v1::TreatmentService::Stub;
using Args = std::vector<std::string>;
using Command = Subcommand<Stub>;

std::string TemplateName(const std::string& arg) {
  return ResourceName("processTemplates", arg);
}

std::string CaseName(const std::string& arg) {
  return ResourceName("treatmentCases", arg);
}

int Finish(const grpc::Status& status, const google::protobuf::Message& out) {
  if (!status.ok()) return Fail(status);
  PrintMessage(out);
  return 0;
}

int TemplateCreate(Stub& stub, const Args& args) {
  if (args.size() != 2) {
    return UsageError(
        "usage: treatment template create ID FILE (a ProcessTemplate in "
        "proto text or JSON)");
  }
  v1::CreateProcessTemplateRequest request;
  if (auto s = ParseMessageFile(args[1], request.mutable_process_template());
      !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  request.set_parent(MunicipalityParent());
  request.set_process_template_id(args[0]);
  v1::ProcessTemplate response;
  return Finish(
      stub.CreateProcessTemplate(NewContext().get(), request, &response),
      response);
}

int TemplateGet(Stub& stub, const Args& args) {
  if (args.size() != 1) return UsageError("usage: treatment template get ID");
  v1::GetProcessTemplateRequest request;
  request.set_name(TemplateName(args[0]));
  v1::ProcessTemplate response;
  return Finish(stub.GetProcessTemplate(NewContext().get(), request, &response),
                response);
}

int TemplateList(Stub& stub, const Args& args) {
  if (!args.empty()) return UsageError("usage: treatment template list");
  v1::ListProcessTemplatesRequest request;
  request.set_parent(MunicipalityParent());
  v1::ListProcessTemplatesResponse all;
  while (true) {
    v1::ListProcessTemplatesResponse response;
    grpc::Status status =
        stub.ListProcessTemplates(NewContext().get(), request, &response);
    if (!status.ok()) return Fail(status);
    for (const auto& t : response.process_templates()) {
      *all.add_process_templates() = t;
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (OutputRequested()) {
    PrintMessage(all);
    return 0;
  }
  for (const v1::ProcessTemplate& t : all.process_templates()) {
    std::vector<std::string> steps;
    for (const v1::TemplateStep& s : t.steps()) steps.push_back(s.step_id());
    std::cout << t.name() << "\t" << t.display_name() << "\t"
              << absl::StrJoin(steps, " -> ") << "\n";
  }
  return 0;
}

int TemplateDelete(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError("usage: treatment template delete ID");
  }
  v1::DeleteProcessTemplateRequest request;
  request.set_name(TemplateName(args[0]));
  google::protobuf::Empty response;
  grpc::Status status =
      stub.DeleteProcessTemplate(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  return 0;
}

int CaseCreate(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError(
        "usage: treatment case create --policy=POLICY --template=TEMPLATE "
        "[--request_id=R] ID");
  }
  std::string policy = absl::GetFlag(FLAGS_policy);
  std::string tmpl = absl::GetFlag(FLAGS_template);
  if (policy.empty()) {
    return UsageError("treatment case create: --policy is required");
  }
  if (tmpl.empty()) {
    return UsageError("treatment case create: --template is required");
  }
  v1::CreateTreatmentCaseRequest request;
  request.set_parent(MunicipalityParent());
  request.set_treatment_case_id(args[0]);
  request.mutable_treatment_case()->set_policy(
      ResourceName("policies", policy));
  request.mutable_treatment_case()->set_template_(TemplateName(tmpl));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::TreatmentCase response;
  return Finish(
      stub.CreateTreatmentCase(NewContext().get(), request, &response),
      response);
}

int CaseGet(Stub& stub, const Args& args) {
  if (args.size() != 1) return UsageError("usage: treatment case get CASE");
  v1::GetTreatmentCaseRequest request;
  request.set_name(CaseName(args[0]));
  v1::TreatmentCase response;
  return Finish(stub.GetTreatmentCase(NewContext().get(), request, &response),
                response);
}

int CaseList(Stub& stub, const Args& args) {
  if (!args.empty()) return UsageError("usage: treatment case list");
  v1::ListTreatmentCasesRequest request;
  request.set_parent(MunicipalityParent());
  v1::ListTreatmentCasesResponse all;
  while (true) {
    v1::ListTreatmentCasesResponse response;
    grpc::Status status =
        stub.ListTreatmentCases(NewContext().get(), request, &response);
    if (!status.ok()) return Fail(status);
    for (const auto& c : response.treatment_cases()) {
      *all.add_treatment_cases() = c;
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (OutputRequested()) {
    PrintMessage(all);
    return 0;
  }
  for (const v1::TreatmentCase& c : all.treatment_cases()) {
    std::cout << c.name() << "\t"
              << EnumLabel(v1::CaseState_descriptor(), "CASE_STATE_", c.state())
              << "\tstep "
              << (c.current_step_id().empty() ? "-" : c.current_step_id())
              << "\t" << c.policy() << "\n";
  }
  return 0;
}

int Step(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError(
        "usage: treatment step --step=S [--date=YYYY-MM-DD] "
        "[--recommendation=T] [--hearing=HEARING] CASE");
  }
  if (absl::GetFlag(FLAGS_step).empty()) {
    return UsageError("treatment step: --step is required");
  }
  v1::UpdateCaseStepRequest request;
  request.set_name(CaseName(args[0]));
  request.set_step_id(absl::GetFlag(FLAGS_step));
  if (std::string v = absl::GetFlag(FLAGS_date); !v.empty()) {
    auto date = ParseDate("date", v);
    if (!date.ok()) return UsageError(std::string(date.status().message()));
    *request.mutable_planned_date() = *date;
  }
  if (std::string v = absl::GetFlag(FLAGS_recommendation); !v.empty()) {
    request.mutable_agenda_item()->set_recommendation(v);
  }
  if (std::string v = absl::GetFlag(FLAGS_hearing); !v.empty()) {
    request.set_hearing_name(ResourceName("hearings", v));
  }
  if (!request.has_planned_date() && !request.has_agenda_item() &&
      request.hearing_name().empty()) {
    return UsageError(
        "treatment step: give --date, --recommendation or --hearing");
  }
  v1::TreatmentCase response;
  return Finish(stub.UpdateCaseStep(NewContext().get(), request, &response),
                response);
}

int Decide(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError(
        "usage: treatment decide --step=S --date=YYYY-MM-DD --outcome=O "
        "[--body_kind=K --body_name=N] [--text=T] [--reason=R] "
        "[--send_back_to=STEP] [--request_id=R] CASE");
  }
  std::vector<std::string> missing;
  if (absl::GetFlag(FLAGS_step).empty()) missing.push_back("--step");
  if (absl::GetFlag(FLAGS_date).empty()) missing.push_back("--date");
  if (absl::GetFlag(FLAGS_outcome).empty()) missing.push_back("--outcome");
  if (!missing.empty()) {
    return UsageError(
        absl::StrCat("treatment decide: ", absl::StrJoin(missing, ", "),
                     missing.size() == 1 ? " is" : " are", " required"));
  }
  v1::RecordDecisionRequest request;
  request.set_name(CaseName(args[0]));
  request.set_step_id(absl::GetFlag(FLAGS_step));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::Decision* decision = request.mutable_decision();
  auto date = ParseDate("date", absl::GetFlag(FLAGS_date));
  if (!date.ok()) return UsageError(std::string(date.status().message()));
  *decision->mutable_date() = *date;
  auto outcome =
      ParseEnumValue(v1::DecisionOutcome_descriptor(), "DECISION_OUTCOME_",
                     "outcome", absl::GetFlag(FLAGS_outcome));
  if (!outcome.ok()) return UsageError(std::string(outcome.status().message()));
  decision->set_outcome(static_cast<v1::DecisionOutcome>(*outcome));
  std::string body_kind = absl::GetFlag(FLAGS_body_kind);
  std::string body_name = absl::GetFlag(FLAGS_body_name);
  if (body_kind.empty() != body_name.empty()) {
    return UsageError(
        "treatment decide: give both --body_kind and --body_name, or "
        "neither (for a step without bodies)");
  }
  if (!body_kind.empty()) {
    auto kind = ParseEnumValue(kommune::common::v1::BodyKind_descriptor(),
                               "BODY_KIND_", "body_kind", body_kind);
    if (!kind.ok()) return UsageError(std::string(kind.status().message()));
    decision->mutable_body()->set_kind(
        static_cast<kommune::common::v1::BodyKind>(*kind));
    decision->mutable_body()->set_display_name(body_name);
  }
  decision->set_text(absl::GetFlag(FLAGS_text));
  decision->set_reason(absl::GetFlag(FLAGS_reason));
  decision->set_send_back_to_step_id(absl::GetFlag(FLAGS_send_back_to));
  v1::TreatmentCase response;
  return Finish(stub.RecordDecision(NewContext().get(), request, &response),
                response);
}

}  // namespace

int RunTreatmentCommand(Stub& stub, const Args& args) {
  static const auto* const kTemplate = new std::map<std::string, Command>{
      {"create", Checked(TemplateCreate)},
      {"get", Checked(TemplateGet)},
      {"list", Checked(TemplateList)},
      {"delete", Checked(TemplateDelete)},
  };
  static const auto* const kCase = new std::map<std::string, Command>{
      {"create", Checked(CaseCreate)},
      {"get", Checked(CaseGet)},
      {"list", Checked(CaseList)},
  };
  static const auto* const kCommands = new std::map<std::string, Command>{
      {"template",
       [](Stub& stub, const Args& args) {
         return Dispatch(stub, "treatment template", *kTemplate, args,
                         TreatmentCommandsHelp());
       }},
      {"case",
       [](Stub& stub, const Args& args) {
         return Dispatch(stub, "treatment case", *kCase, args,
                         TreatmentCommandsHelp());
       }},
      {"step", Checked(Step)},
      {"decide", Checked(Decide)},
  };
  return Dispatch(stub, "treatment", *kCommands, args, TreatmentCommandsHelp());
}

std::string TreatmentCommandsHelp() {
  return R"(Treatment commands (--hearing_address; CASE and TEMPLATE are ids in --municipality or full names):
  treatment template create ID FILE                create a process template (FILE: proto text or JSON)
  treatment template get|delete TEMPLATE           print or delete a template
  treatment template list                          list the municipality's templates
  treatment case create --policy=POLICY --template=TEMPLATE [--request_id=R] ID
                                                   start a policy's treatment
  treatment case get CASE                          print a case
  treatment case list                              list the municipality's cases
  treatment step --step=S [--date=D] [--recommendation=T] [--hearing=HEARING] CASE
                                                   plan a step
  treatment decide --step=S --date=D --outcome=O [--body_kind=K --body_name=N]
      [--text=T] [--reason=R] [--send_back_to=STEP] [--request_id=R] CASE
                                                   record a body's decision at the open step)";
}

}  // namespace kommune::ctl
