#include "tools/kommunectl/policy_commands.h"

#include <functional>
#include <iostream>
#include <map>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "tools/kommunectl/client_context.h"

ABSL_FLAG(std::string, format, "markdown",
          "Document format for import and export: text, markdown or json.");
ABSL_FLAG(std::string, id, "", "Policy id for import and revise.");
ABSL_FLAG(std::string, request_id, "",
          "Idempotency key: a retry with the same key changes nothing more.");
ABSL_FLAG(std::string, state, "",
          "list: only policies in this state (draft, in_hearing, adopted, "
          "superseded, withdrawn).");
ABSL_FLAG(int, period_year, 0, "list: only policies in force in this year.");
ABSL_FLAG(std::string, etag, "",
          "Refuse the change if the policy changed since this etag.");
ABSL_FLAG(std::string, adopt_date, "", "adopt: the day, YYYY-MM-DD.");
ABSL_FLAG(std::string, display_name, "", "update: the new title.");
ABSL_FLAG(std::string, content_file, "",
          "update: replace the content with the Policy in this proto JSON "
          "file (or - for stdin); only its content is used.");

namespace kommune::ctl {
namespace {

namespace v1 = kommune::policy::v1;
using Stub = v1::PolicyService::Stub;
using Args = std::vector<std::string>;

std::string PolicyName(const std::string& arg) {
  if (absl::StartsWith(arg, "municipalities/")) return arg;
  return absl::StrCat("municipalities/", Municipality(), "/policies/", arg);
}

std::string Parent() { return absl::StrCat("municipalities/", Municipality()); }

int Usage(const std::string& message) {
  std::cerr << message << "\n";
  return 2;
}

// "adopted" for POLICY_STATE_ADOPTED, as --state takes it.
std::string StateLabel(v1::PolicyState state) {
  return absl::AsciiStrToLower(
      absl::StripPrefix(v1::PolicyState_Name(state), "POLICY_STATE_"));
}

v1::DocumentFormat Format() {
  std::string f = absl::GetFlag(FLAGS_format);
  if (f == "text") return v1::DOCUMENT_FORMAT_PLAIN_TEXT;
  if (f == "markdown") return v1::DOCUMENT_FORMAT_MARKDOWN;
  if (f == "json") return v1::DOCUMENT_FORMAT_JSON;
  return v1::DOCUMENT_FORMAT_UNSPECIFIED;
}

int Import(Stub& stub, const Args& args) {
  if (args.size() != 1) return Usage("usage: import --id=ID --format=F FILE");
  auto document = ReadFile(args[0]);
  if (!document.ok()) return Usage(std::string(document.status().message()));
  v1::ImportPolicyRequest request;
  request.set_parent(Parent());
  request.set_policy_id(absl::GetFlag(FLAGS_id));
  request.set_format(Format());
  request.set_document(*document);
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::ImportPolicyResponse response;
  grpc::Status status =
      stub.ImportPolicy(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  PrintJson(response);
  return 0;
}

int Get(Stub& stub, const Args& args) {
  if (args.size() != 1) return Usage("usage: get POLICY[@REVISION]");
  v1::GetPolicyRequest request;
  request.set_name(PolicyName(args[0]));
  v1::Policy response;
  grpc::Status status = stub.GetPolicy(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  PrintJson(response);
  return 0;
}

int List(Stub& stub, const Args& args) {
  if (!args.empty()) return Usage("usage: list [--state=S] [--period_year=Y]");
  v1::ListPoliciesRequest request;
  request.set_parent(Parent());
  request.set_period_year(absl::GetFlag(FLAGS_period_year));
  if (std::string state = absl::GetFlag(FLAGS_state); !state.empty()) {
    v1::PolicyState value;
    if (!v1::PolicyState_Parse(
            absl::StrCat("POLICY_STATE_", absl::AsciiStrToUpper(state)),
            &value)) {
      return Usage(
          "--state: draft, in_hearing, adopted, superseded or "
          "withdrawn");
    }
    request.add_states(value);
  }
  while (true) {
    v1::ListPoliciesResponse response;
    grpc::Status status =
        stub.ListPolicies(NewContext().get(), request, &response);
    if (!status.ok()) return Fail(status);
    for (const v1::Policy& p : response.policies()) {
      std::cout << p.name() << "\t" << StateLabel(p.state()) << "\trevision "
                << p.revision_id() << "\t" << p.display_name() << "\n";
    }
    if (response.next_page_token().empty()) return 0;
    request.set_page_token(response.next_page_token());
  }
}

int Search(Stub& stub, const Args& args) {
  if (args.size() != 1) return Usage("usage: search QUERY");
  v1::SearchPoliciesRequest request;
  request.set_parent(Parent());
  request.set_query(args[0]);
  while (true) {
    v1::SearchPoliciesResponse response;
    grpc::Status status =
        stub.SearchPolicies(NewContext().get(), request, &response);
    if (!status.ok()) return Fail(status);
    for (const v1::SearchResult& r : response.results()) {
      std::cout << r.policy() << "\t" << r.element_type() << " "
                << r.element_id() << "\n    " << r.snippet() << "\n";
    }
    if (response.next_page_token().empty()) return 0;
    request.set_page_token(response.next_page_token());
  }
}

int Revisions(Stub& stub, const Args& args) {
  if (args.size() != 1) return Usage("usage: revisions POLICY");
  v1::ListPolicyRevisionsRequest request;
  request.set_name(PolicyName(args[0]));
  while (true) {
    v1::ListPolicyRevisionsResponse response;
    grpc::Status status =
        stub.ListPolicyRevisions(NewContext().get(), request, &response);
    if (!status.ok()) return Fail(status);
    for (const v1::Policy& p : response.policies()) {
      std::cout << p.name() << "@" << p.revision_id() << "\t"
                << StateLabel(p.state()) << "\t"
                << p.revision_create_time().seconds() << "\n";
    }
    if (response.next_page_token().empty()) return 0;
    request.set_page_token(response.next_page_token());
  }
}

int Diff(Stub& stub, const Args& args) {
  if (args.size() < 2 || args.size() > 3) {
    return Usage("usage: diff POLICY BASE_REVISION [TARGET_REVISION]");
  }
  v1::DiffPolicyRevisionsRequest request;
  request.set_name(PolicyName(args[0]));
  request.set_base_revision_id(args[1]);
  if (args.size() == 3) request.set_target_revision_id(args[2]);
  v1::DiffPolicyRevisionsResponse response;
  grpc::Status status =
      stub.DiffPolicyRevisions(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  std::cout << "revision " << response.base_revision_id() << " -> "
            << response.target_revision_id() << ": " << response.changes_size()
            << " changes\n";
  for (const v1::ContentChange& c : response.changes()) {
    const char* mark = c.kind() == v1::ContentChange::KIND_ADDED     ? "+"
                       : c.kind() == v1::ContentChange::KIND_REMOVED ? "-"
                                                                     : "~";
    std::cout << mark << " " << c.element_type() << " " << c.element_id()
              << " (" << c.path() << ")\n";
    if (!c.before_text().empty())
      std::cout << "    was: " << c.before_text() << "\n";
    if (!c.after_text().empty())
      std::cout << "    now: " << c.after_text() << "\n";
  }
  return 0;
}

int Export(Stub& stub, const Args& args) {
  if (args.size() != 1) return Usage("usage: export --format=F POLICY[@REV]");
  v1::ExportPolicyRequest request;
  request.set_name(PolicyName(args[0]));
  request.set_format(Format());
  v1::ExportPolicyResponse response;
  grpc::Status status =
      stub.ExportPolicy(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  std::cout << response.document();
  return 0;
}

int Update(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return Usage("usage: update [--display_name=T] [--content_file=F] POLICY");
  }
  v1::UpdatePolicyRequest request;
  request.mutable_policy()->set_name(PolicyName(args[0]));
  request.mutable_policy()->set_etag(absl::GetFlag(FLAGS_etag));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  if (std::string title = absl::GetFlag(FLAGS_display_name); !title.empty()) {
    request.mutable_policy()->set_display_name(title);
    request.mutable_update_mask()->add_paths("display_name");
  }
  if (std::string file = absl::GetFlag(FLAGS_content_file); !file.empty()) {
    auto json = ReadFile(file);
    if (!json.ok()) return Usage(std::string(json.status().message()));
    v1::Policy parsed;
    if (!google::protobuf::util::JsonStringToMessage(*json, &parsed).ok()) {
      return Usage("--content_file: not a Policy in proto JSON");
    }
    *request.mutable_policy()->mutable_content() = parsed.content();
    request.mutable_update_mask()->add_paths("content");
  }
  if (request.update_mask().paths_size() == 0) {
    return Usage("update: give --display_name or --content_file");
  }
  v1::Policy response;
  grpc::Status status =
      stub.UpdatePolicy(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  PrintJson(response);
  return 0;
}

// hearing, adopt, withdraw: one-step lifecycle commands.
int Lifecycle(Stub& stub, const std::string& command, const Args& args) {
  if (args.size() != 1) return Usage("usage: " + command + " POLICY");
  std::string name = PolicyName(args[0]);
  std::string etag = absl::GetFlag(FLAGS_etag);
  v1::Policy response;
  grpc::Status status;
  if (command == "hearing") {
    v1::SendPolicyToHearingRequest r;
    r.set_name(name);
    r.set_etag(etag);
    status = stub.SendPolicyToHearing(NewContext().get(), r, &response);
  } else if (command == "adopt") {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(absl::GetFlag(FLAGS_adopt_date), &day)) {
      return Usage("adopt: --adopt_date=YYYY-MM-DD is required");
    }
    v1::AdoptPolicyRequest r;
    r.set_name(name);
    r.set_etag(etag);
    r.mutable_adopt_date()->set_year(static_cast<int32_t>(day.year()));
    r.mutable_adopt_date()->set_month(day.month());
    r.mutable_adopt_date()->set_day(day.day());
    status = stub.AdoptPolicy(NewContext().get(), r, &response);
  } else {
    v1::WithdrawPolicyRequest r;
    r.set_name(name);
    r.set_etag(etag);
    status = stub.WithdrawPolicy(NewContext().get(), r, &response);
  }
  if (!status.ok()) return Fail(status);
  std::cout << response.name() << "\t" << StateLabel(response.state())
            << "\trevision " << response.revision_id() << "\n";
  return 0;
}

int Revise(Stub& stub, const Args& args) {
  if (args.size() != 1) return Usage("usage: revise --id=NEW_ID POLICY");
  v1::RevisePolicyRequest request;
  request.set_name(PolicyName(args[0]));
  request.set_policy_id(absl::GetFlag(FLAGS_id));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::Policy response;
  grpc::Status status =
      stub.RevisePolicy(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  std::cout << response.name() << "\t" << StateLabel(response.state()) << "\n";
  return 0;
}

int Delete(Stub& stub, const Args& args) {
  if (args.size() != 1) return Usage("usage: delete POLICY");
  v1::DeletePolicyRequest request;
  request.set_name(PolicyName(args[0]));
  request.set_etag(absl::GetFlag(FLAGS_etag));
  google::protobuf::Empty response;
  grpc::Status status =
      stub.DeletePolicy(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  return 0;
}

}  // namespace

int RunPolicyCommand(Stub& stub, const std::string& command, const Args& args) {
  static const auto* const kCommands =
      new std::map<std::string, std::function<int(Stub&, const Args&)>>{
          {"import", Import},       {"get", Get},
          {"list", List},           {"search", Search},
          {"revisions", Revisions}, {"diff", Diff},
          {"export", Export},       {"update", Update},
          {"revise", Revise},       {"delete", Delete},
      };
  if (command == "hearing" || command == "adopt" || command == "withdraw") {
    return Lifecycle(stub, command, args);
  }
  auto it = kCommands->find(command);
  if (it == kCommands->end()) return -1;
  return it->second(stub, args);
}

std::string PolicyCommandsHelp() {
  return R"(Policy commands (POLICY is an id in --municipality, or a full name):
  import --id=ID --format=text|markdown|json FILE   import a document as a draft
  get POLICY[@REVISION]                            print a policy as JSON
  list [--state=S] [--period_year=Y]               list policies (--municipality=- for all public)
  search QUERY                                     full-text search
  revisions POLICY                                 list revisions, newest first
  diff POLICY BASE [TARGET]                        what changed between revisions
  update [--display_name=T] [--content_file=F] POLICY   change a draft
  hearing POLICY                                   send a draft to hearing
  adopt --adopt_date=YYYY-MM-DD POLICY             record the adoption
  withdraw POLICY                                  withdraw a draft or hearing
  revise --id=NEW_ID POLICY                        start a revision of an adopted policy
  delete POLICY                                    delete a draft
  export --format=markdown|json POLICY[@REVISION]  print the document)";
}

}  // namespace kommune::ctl
