// kommunectl hearings ... and kommunectl responses ...: the hearing
// workflow (kommune.hearing.v1.HearingService).
#include "tools/kommunectl/hearing_commands.h"

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tools/kommunectl/client_context.h"

ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(std::string, etag);
ABSL_DECLARE_FLAG(std::string, display_name);

ABSL_FLAG(std::string, policy_revision, "",
          "hearings create: the revision heard, POLICY@REVISION (an id in "
          "--municipality or a full name).");
ABSL_FLAG(std::string, kind, "",
          "hearings create: public (anyone may respond) or internal.");
ABSL_FLAG(std::string, open_date, "",
          "hearings create: first day, YYYY-MM-DD (default today).");
ABSL_FLAG(std::string, deadline, "",
          "hearings create: last day responses are on time, YYYY-MM-DD.");
ABSL_FLAG(std::string, late_responses, "",
          "hearings create: refuse or accept (accept and mark late) "
          "responses after the deadline.");
ABSL_FLAG(std::string, letter, "", "hearings create: the hearing letter.");
ABSL_FLAG(std::string, parties, "",
          "hearings create: invited parties, "
          "ID:KIND:NAME[:must];... (KIND committee, council, citizen, "
          "association, company, authority, med_committee; must = must "
          "answer).");
ABSL_FLAG(std::string, policy, "",
          "hearings list: only hearings of this policy; treatment case "
          "create: the policy treated.");
ABSL_FLAG(std::string, reason, "",
          "hearings cancel, hearings waive, treatment decide: why.");
ABSL_FLAG(std::string, party, "",
          "hearings waive: the party excused; responses submit: the "
          "invited party answering.");
ABSL_FLAG(int, days, 0,
          "hearings outstanding: only when the deadline is this many days "
          "away or less (0: always).");
ABSL_FLAG(std::string, text, "",
          "responses submit: the response's text; treatment decide: the "
          "decision as minuted.");
ABSL_FLAG(std::string, text_file, "",
          "responses submit: read the response's text from this file (- for "
          "stdin).");
ABSL_FLAG(std::string, name, "", "responses submit: the responder's name.");
ABSL_FLAG(std::string, email, "",
          "responses submit: the responder's e-mail (never published).");
ABSL_FLAG(std::string, organisation, "",
          "responses submit: the responder's organisation.");
ABSL_FLAG(std::string, represents, "",
          "responses submit: whom the responder speaks for.");
ABSL_FLAG(std::string, address, "",
          "responses submit: the responder's postal address (never "
          "published).");
ABSL_FLAG(bool, anonymous, false,
          "responses submit: publish without the responder's name.");
ABSL_FLAG(bool, consent, false,
          "responses submit: the responder consents to processing and "
          "publication (required for a citizen in a public hearing).");
ABSL_FLAG(std::string, element_ids, "",
          "responses submit: comma-separated policy element ids the "
          "response concerns.");
ABSL_FLAG(std::string, delete_date, "",
          "responses submit: when personal data is purged, YYYY-MM-DD.");

namespace kommune::ctl {
namespace {

namespace v1 = kommune::hearing::v1;
using Stub = v1::HearingService::Stub;
using Args = std::vector<std::string>;

std::string HearingName(const std::string& arg) {
  return ResourceName("hearings", arg);
}

// "municipalities/169/hearings/h/responses/1", or HEARING/ID for short.
bool ResponseName(const std::string& arg, std::string* name) {
  if (absl::StartsWith(arg, "municipalities/")) {
    *name = arg;
    return true;
  }
  std::vector<std::string> parts = absl::StrSplit(arg, '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) return false;
  *name = absl::StrCat(HearingName(parts[0]), "/responses/", parts[1]);
  return true;
}

std::string FormatDate(const kommune::common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string StateLabel(v1::HearingState state) {
  return EnumLabel(v1::HearingState_descriptor(), "HEARING_STATE_", state);
}

// Prints a single resource, or fails.
int Finish(const grpc::Status& status, const google::protobuf::Message& out) {
  if (!status.ok()) return Fail(status);
  PrintMessage(out);
  return 0;
}

absl::Status ParseParties(const std::string& flag, v1::Hearing* hearing) {
  hearing->clear_parties();
  for (absl::string_view entry :
       absl::StrSplit(flag, ';', absl::SkipWhitespace())) {
    std::vector<std::string> fields = absl::StrSplit(entry, ':');
    if (fields.size() < 3 || fields.size() > 4 ||
        (fields.size() == 4 && fields[3] != "must")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--parties: '", entry, "' is not ID:KIND:NAME or ID:KIND:NAME:must"));
    }
    auto kind = ParseEnumValue(v1::PartyKind_descriptor(), "PARTY_KIND_",
                               "parties", fields[1]);
    if (!kind.ok()) return kind.status();
    v1::Party* party = hearing->add_parties();
    party->set_party_id(fields[0]);
    party->set_kind(static_cast<v1::PartyKind>(*kind));
    party->set_display_name(fields[2]);
    party->set_must_answer(fields.size() == 4);
  }
  return absl::OkStatus();
}

// The hearing of `hearings create`: the file's, then the flags on top.
absl::Status HearingFromFlags(const Args& args, v1::Hearing* h) {
  if (args.size() == 2) {
    if (auto s = ParseMessageFile(args[1], h); !s.ok()) return s;
  }
  if (std::string v = absl::GetFlag(FLAGS_display_name); !v.empty()) {
    h->set_display_name(v);
  }
  if (std::string v = absl::GetFlag(FLAGS_policy_revision); !v.empty()) {
    h->set_policy_revision(ResourceName("policies", v));
  }
  if (std::string v = absl::GetFlag(FLAGS_kind); !v.empty()) {
    auto kind = ParseEnumValue(v1::HearingKind_descriptor(), "HEARING_KIND_",
                               "kind", v);
    if (!kind.ok()) return kind.status();
    h->set_kind(static_cast<v1::HearingKind>(*kind));
  }
  if (std::string v = absl::GetFlag(FLAGS_open_date); !v.empty()) {
    auto date = ParseDate("open_date", v);
    if (!date.ok()) return date.status();
    *h->mutable_open_date() = *date;
  } else if (!h->has_open_date()) {
    absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
    h->mutable_open_date()->set_year(static_cast<int32_t>(today.year()));
    h->mutable_open_date()->set_month(today.month());
    h->mutable_open_date()->set_day(today.day());
  }
  if (std::string v = absl::GetFlag(FLAGS_deadline); !v.empty()) {
    auto date = ParseDate("deadline", v);
    if (!date.ok()) return date.status();
    *h->mutable_deadline() = *date;
  }
  if (std::string v = absl::GetFlag(FLAGS_late_responses); !v.empty()) {
    if (v == "accept") v = "accept_marked_late";
    auto late = ParseEnumValue(v1::LateResponsePolicy_descriptor(),
                               "LATE_RESPONSE_POLICY_", "late_responses", v);
    if (!late.ok()) return late.status();
    h->set_late_responses(static_cast<v1::LateResponsePolicy>(*late));
  }
  if (std::string v = absl::GetFlag(FLAGS_letter); !v.empty()) {
    h->mutable_letter()->set_text(v);
  }
  if (std::string v = absl::GetFlag(FLAGS_parties); !v.empty()) {
    if (auto s = ParseParties(v, h); !s.ok()) return s;
  }
  std::vector<std::string> missing;
  if (h->display_name().empty()) missing.push_back("--display_name");
  if (h->policy_revision().empty()) missing.push_back("--policy_revision");
  if (h->kind() == v1::HEARING_KIND_UNSPECIFIED) missing.push_back("--kind");
  if (!h->has_deadline()) missing.push_back("--deadline");
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("hearings create: ", absl::StrJoin(missing, ", "),
                     missing.size() == 1 ? " is" : " are",
                     " required (as flags or in the file)"));
  }
  return absl::OkStatus();
}

int Create(Stub& stub, const Args& args) {
  if (args.empty() || args.size() > 2) {
    return UsageError(
        "usage: hearings create ID [FILE] --display_name=T "
        "--policy_revision=POLICY@REV --kind=public|internal "
        "--deadline=YYYY-MM-DD [--open_date=D] [--late_responses=accept] "
        "[--letter=T] [--parties=...]");
  }
  v1::CreateHearingRequest request;
  if (auto s = HearingFromFlags(args, request.mutable_hearing()); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  request.set_parent(MunicipalityParent());
  request.set_hearing_id(args[0]);
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::Hearing response;
  return Finish(stub.CreateHearing(NewContext().get(), request, &response),
                response);
}

int Get(Stub& stub, const Args& args) {
  if (args.size() != 1) return UsageError("usage: hearings get HEARING");
  v1::GetHearingRequest request;
  request.set_name(HearingName(args[0]));
  v1::Hearing response;
  return Finish(stub.GetHearing(NewContext().get(), request, &response),
                response);
}

int List(Stub& stub, const Args& args) {
  if (!args.empty()) return UsageError("usage: hearings list [--policy=P]");
  v1::ListHearingsRequest request;
  request.set_parent(MunicipalityParent());
  if (std::string policy = absl::GetFlag(FLAGS_policy); !policy.empty()) {
    request.set_policy_name(ResourceName("policies", policy));
  }
  v1::ListHearingsResponse all;
  while (true) {
    v1::ListHearingsResponse response;
    grpc::Status status =
        stub.ListHearings(NewContext().get(), request, &response);
    if (!status.ok()) return Fail(status);
    for (const v1::Hearing& h : response.hearings()) *all.add_hearings() = h;
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (OutputRequested()) {
    PrintMessage(all);
    return 0;
  }
  for (const v1::Hearing& h : all.hearings()) {
    std::cout << h.name() << "\t" << StateLabel(h.state()) << "\t"
              << EnumLabel(v1::HearingKind_descriptor(), "HEARING_KIND_",
                           h.kind())
              << "\t" << h.policy_revision() << "\tdeadline "
              << FormatDate(h.deadline()) << "\t" << h.display_name() << "\n";
  }
  return 0;
}

// open, close, process: one-step lifecycle commands with --etag.
int Lifecycle(Stub& stub, const std::string& command, const Args& args) {
  if (args.size() != 1) {
    return UsageError("usage: hearings " + command + " [--etag=E] HEARING");
  }
  std::string name = HearingName(args[0]);
  std::string etag = absl::GetFlag(FLAGS_etag);
  v1::Hearing response;
  grpc::Status status;
  if (command == "open") {
    v1::OpenHearingRequest r;
    r.set_name(name);
    r.set_etag(etag);
    status = stub.OpenHearing(NewContext().get(), r, &response);
  } else if (command == "close") {
    v1::CloseHearingRequest r;
    r.set_name(name);
    r.set_etag(etag);
    status = stub.CloseHearing(NewContext().get(), r, &response);
  } else {
    v1::MarkHearingProcessedRequest r;
    r.set_name(name);
    r.set_etag(etag);
    status = stub.MarkHearingProcessed(NewContext().get(), r, &response);
  }
  return Finish(status, response);
}

int Cancel(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError("usage: hearings cancel --reason=R HEARING");
  }
  if (absl::GetFlag(FLAGS_reason).empty()) {
    return UsageError("hearings cancel: --reason is required");
  }
  v1::CancelHearingRequest request;
  request.set_name(HearingName(args[0]));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  v1::Hearing response;
  return Finish(stub.CancelHearing(NewContext().get(), request, &response),
                response);
}

int Waive(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError("usage: hearings waive --party=ID --reason=R HEARING");
  }
  if (absl::GetFlag(FLAGS_party).empty()) {
    return UsageError("hearings waive: --party is required");
  }
  if (absl::GetFlag(FLAGS_reason).empty()) {
    return UsageError("hearings waive: --reason is required");
  }
  v1::WaivePartyRequest request;
  request.set_name(HearingName(args[0]));
  request.set_party_id(absl::GetFlag(FLAGS_party));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  v1::Hearing response;
  return Finish(stub.WaiveParty(NewContext().get(), request, &response),
                response);
}

int Outstanding(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError("usage: hearings outstanding [--days=N] HEARING");
  }
  if (absl::GetFlag(FLAGS_days) < 0) {
    return UsageError("hearings outstanding: --days must not be negative");
  }
  v1::ListOutstandingPartiesRequest request;
  request.set_name(HearingName(args[0]));
  request.set_days_before_deadline(absl::GetFlag(FLAGS_days));
  v1::ListOutstandingPartiesResponse response;
  grpc::Status status =
      stub.ListOutstandingParties(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  if (OutputRequested()) {
    PrintMessage(response);
    return 0;
  }
  if (response.overdue()) {
    std::cout << "overdue: the deadline passed " << -response.days_left()
              << " days ago\n";
  } else {
    std::cout << response.days_left() << " days left until the deadline\n";
  }
  for (const v1::Party& p : response.parties()) {
    std::cout << p.party_id() << "\t"
              << EnumLabel(v1::PartyKind_descriptor(), "PARTY_KIND_", p.kind())
              << "\t" << p.display_name()
              << (p.must_answer() ? "\tmust answer" : "") << "\n";
  }
  return 0;
}

int Memo(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError(
        "usage: hearings memo [--format=markdown|html|json] "
        "HEARING");
  }
  std::string format = absl::GetFlag(FLAGS_format);
  if (format == "json") {
    v1::GetHearingMemoRequest request;
    request.set_name(HearingName(args[0]));
    v1::HearingMemo response;
    return Finish(stub.GetHearingMemo(NewContext().get(), request, &response),
                  response);
  }
  v1::ExportHearingMemoRequest request;
  request.set_name(HearingName(args[0]));
  if (format == "markdown") {
    request.set_format(v1::MEMO_FORMAT_MARKDOWN);
  } else if (format == "html") {
    request.set_format(v1::MEMO_FORMAT_HTML);
  } else {
    return UsageError("hearings memo: --format is markdown, html or json");
  }
  v1::ExportHearingMemoResponse response;
  grpc::Status status =
      stub.ExportHearingMemo(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  std::cout << response.document();
  return 0;
}

int Submit(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError(
        "usage: responses submit (--text=T | --text_file=F) [--party=ID] "
        "[--name=N] [--email=E] [--organisation=O] [--represents=R] "
        "[--address=A] [--anonymous] [--consent] [--element_ids=a,b] "
        "[--delete_date=D] [--request_id=R] HEARING");
  }
  std::string text = absl::GetFlag(FLAGS_text);
  std::string text_file = absl::GetFlag(FLAGS_text_file);
  if (text.empty() == text_file.empty()) {
    return UsageError("responses submit: give --text or --text_file");
  }
  if (!text_file.empty()) {
    auto content = ReadFile(text_file);
    if (!content.ok())
      return UsageError(std::string(content.status().message()));
    text = *content;
  }
  v1::SubmitResponseRequest request;
  request.set_parent(HearingName(args[0]));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::Response* r = request.mutable_response();
  r->set_text(text);
  r->set_party_id(absl::GetFlag(FLAGS_party));
  v1::Responder* who = r->mutable_responder();
  who->set_display_name(absl::GetFlag(FLAGS_name));
  who->set_email(absl::GetFlag(FLAGS_email));
  who->set_organisation(absl::GetFlag(FLAGS_organisation));
  who->set_represents(absl::GetFlag(FLAGS_represents));
  who->set_address(absl::GetFlag(FLAGS_address));
  who->set_anonymous(absl::GetFlag(FLAGS_anonymous));
  who->set_consent(absl::GetFlag(FLAGS_consent));
  for (absl::string_view id : absl::StrSplit(absl::GetFlag(FLAGS_element_ids),
                                             ',', absl::SkipWhitespace())) {
    r->add_element_ids(std::string(id));
  }
  if (std::string v = absl::GetFlag(FLAGS_delete_date); !v.empty()) {
    auto date = ParseDate("delete_date", v);
    if (!date.ok()) return UsageError(std::string(date.status().message()));
    *r->mutable_personal_data_delete_date() = *date;
  }
  v1::Response response;
  return Finish(stub.SubmitResponse(NewContext().get(), request, &response),
                response);
}

int GetResponse(Stub& stub, const Args& args) {
  std::string name;
  if (args.size() != 1 || !ResponseName(args[0], &name)) {
    return UsageError("usage: responses get HEARING/RESPONSE");
  }
  v1::GetResponseRequest request;
  request.set_name(name);
  v1::Response response;
  return Finish(stub.GetResponse(NewContext().get(), request, &response),
                response);
}

// Who a response is from, for the table: never the e-mail or address.
std::string From(const v1::Response& r) {
  std::string from =
      r.party_id().empty() ? r.responder().display_name() : r.party_id();
  if (r.responder().anonymous()) {
    from = from.empty() ? "(anonymous)" : absl::StrCat(from, " (anonymous)");
  }
  return from;
}

int ListResponses(Stub& stub, const Args& args) {
  if (args.size() != 1) return UsageError("usage: responses list HEARING");
  v1::ListResponsesRequest request;
  request.set_parent(HearingName(args[0]));
  v1::ListResponsesResponse all;
  while (true) {
    v1::ListResponsesResponse response;
    grpc::Status status =
        stub.ListResponses(NewContext().get(), request, &response);
    if (!status.ok()) return Fail(status);
    for (const v1::Response& r : response.responses()) {
      *all.add_responses() = r;
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (OutputRequested()) {
    PrintMessage(all);
    return 0;
  }
  for (const v1::Response& r : all.responses()) {
    // At most 60 bytes, not cutting a UTF-8 sequence.
    size_t end = std::min<size_t>(r.text().size(), 60);
    while (end < r.text().size() && end > 0 &&
           (static_cast<unsigned char>(r.text()[end]) & 0xC0) == 0x80) {
      --end;
    }
    std::string excerpt = r.text().substr(0, end);
    for (char& c : excerpt) {
      if (c == '\n' || c == '\t') c = ' ';
    }
    std::cout << r.name() << "\t"
              << EnumLabel(v1::ResponseState_descriptor(), "RESPONSE_STATE_",
                           r.state())
              << (r.late() ? " late" : "") << "\t" << From(r) << "\t"
              << r.points_size() << " points\t" << excerpt << "\n";
  }
  return 0;
}

int Withdraw(Stub& stub, const Args& args) {
  std::string name;
  if (args.size() != 1 || !ResponseName(args[0], &name)) {
    return UsageError("usage: responses withdraw HEARING/RESPONSE");
  }
  v1::WithdrawResponseRequest request;
  request.set_name(name);
  v1::Response response;
  return Finish(stub.WithdrawResponse(NewContext().get(), request, &response),
                response);
}

int Points(Stub& stub, const Args& args) {
  std::string name;
  if (args.size() != 2 || !ResponseName(args[0], &name)) {
    return UsageError(
        "usage: responses points [--etag=E] HEARING/RESPONSE FILE\n"
        "  FILE: a Response in proto text or JSON; its points replace those "
        "recorded, e.g.\n"
        "  points { point_id: \"p1\" summary: \"...\" disposition: "
        "DISPOSITION_NOTED reason: \"...\" }");
  }
  v1::Response points;
  if (auto s = ParseMessageFile(args[1], &points); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  v1::UpdateResponsePointsRequest request;
  request.set_name(name);
  *request.mutable_points() = points.points();
  request.set_etag(absl::GetFlag(FLAGS_etag));
  v1::Response response;
  return Finish(
      stub.UpdateResponsePoints(NewContext().get(), request, &response),
      response);
}

int Purge(Stub& stub, const Args& args) {
  if (args.size() != 1) return UsageError("usage: responses purge HEARING");
  v1::PurgePersonalDataRequest request;
  request.set_parent(HearingName(args[0]));
  v1::PurgePersonalDataResponse response;
  grpc::Status status =
      stub.PurgePersonalData(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  if (OutputRequested()) {
    PrintMessage(response);
  } else {
    std::cout << "purged " << response.purged_count() << " responses\n";
  }
  return 0;
}

using Command = std::function<int(Stub&, const Args&)>;

int Dispatch(Stub& stub, const std::string& group,
             const std::map<std::string, Command>& commands, const Args& args) {
  if (args.empty()) {
    return UsageError(absl::StrCat("usage: ", group, " COMMAND [ARGS]\n\n",
                                   HearingCommandsHelp()));
  }
  auto it = commands.find(args[0]);
  if (it == commands.end()) {
    return UsageError(absl::StrCat("unknown command '", group, " ", args[0],
                                   "'\n\n", HearingCommandsHelp()));
  }
  Args rest(args.begin() + 1, args.end());
  // The resource argument comes first; without one, --municipality names
  // the collection.
  if (auto s = RequireMunicipality({rest.empty() ? "" : rest[0]}); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  return it->second(stub, rest);
}

}  // namespace

int RunHearingsCommand(Stub& stub, const Args& args) {
  auto lifecycle = [](const std::string& command) -> Command {
    return [command](Stub& stub, const Args& args) {
      return Lifecycle(stub, command, args);
    };
  };
  static const auto* const kCommands = new std::map<std::string, Command>{
      {"create", Create},
      {"get", Get},
      {"list", List},
      {"open", lifecycle("open")},
      {"close", lifecycle("close")},
      {"process", lifecycle("process")},
      {"cancel", Cancel},
      {"waive", Waive},
      {"outstanding", Outstanding},
      {"memo", Memo},
  };
  return Dispatch(stub, "hearings", *kCommands, args);
}

int RunResponsesCommand(Stub& stub, const Args& args) {
  static const auto* const kCommands = new std::map<std::string, Command>{
      {"submit", Submit},     {"get", GetResponse}, {"list", ListResponses},
      {"withdraw", Withdraw}, {"points", Points},   {"purge", Purge},
  };
  return Dispatch(stub, "responses", *kCommands, args);
}

std::string HearingCommandsHelp() {
  return R"(Hearing commands (--hearing_address; HEARING is an id in --municipality or a full name):
  hearings create ID [FILE] --display_name=T --policy_revision=POLICY@REV
      --kind=public|internal --deadline=YYYY-MM-DD [--open_date=D]
      [--late_responses=accept|refuse] [--letter=T] [--parties=ID:KIND:NAME[:must];...]
                                                   plan a hearing (FILE: a Hearing in proto text or JSON)
  hearings get HEARING                             print a hearing
  hearings list [--policy=POLICY]                  list the municipality's hearings
  hearings open|close|process [--etag=E] HEARING   open, close after the deadline, mark processed
  hearings cancel --reason=R HEARING               call a hearing off
  hearings waive --party=ID --reason=R HEARING     excuse a party from answering
  hearings outstanding [--days=N] HEARING          parties that have not answered
  hearings memo [--format=markdown|html|json] HEARING   the hearing memo
  responses submit (--text=T|--text_file=F) [--party=ID] [--name=N --email=E
      --organisation=O --anonymous --consent] [--element_ids=a,b] [--request_id=R] HEARING
                                                   submit a response
  responses get HEARING/RESPONSE                   print a response
  responses list HEARING                           list a hearing's responses
  responses withdraw HEARING/RESPONSE              withdraw a response before the deadline
  responses points [--etag=E] HEARING/RESPONSE FILE   record points and dispositions
  responses purge HEARING                          purge personal data past its deletion date)";
}

}  // namespace kommune::ctl
