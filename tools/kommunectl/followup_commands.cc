// kommunectl followup ...: follow-up on success criteria
// (kommune.followup.v1.FollowUpService): indicators, measurements, status
// and the follow-up report.
#include "tools/kommunectl/followup_commands.h"

#include <functional>
#include <iostream>
#include <map>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/kommunectl/client_context.h"
#include "tools/kommunectl/subcommands.h"

ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(std::string, policy);
ABSL_DECLARE_FLAG(std::string, date);
ABSL_DECLARE_FLAG(std::string, display_name);
ABSL_DECLARE_FLAG(std::string, format);

ABSL_FLAG(bool, skip_bad_rows, false,
          "followup import: import the good rows and list the bad ones.");
ABSL_FLAG(std::string, source, "",
          "followup import and record: where the values come from.");
ABSL_FLAG(std::string, assessment, "",
          "followup record: for a qualitative indicator, the person's "
          "status: achieved, on_track, at_risk, off_track or missed.");
ABSL_FLAG(std::string, note, "",
          "followup record: a note; required with --assessment.");
ABSL_FLAG(std::string, group, "focus_area",
          "followup summary: focus_area, committee or policy.");

namespace kommune::ctl {
namespace {

namespace v1 = kommune::followup::v1;
using Stub = v1::FollowUpService::Stub;
using Args = std::vector<std::string>;
using Command = Subcommand<Stub>;

int Finish(const grpc::Status& status, const google::protobuf::Message& out) {
  if (!status.ok()) return Fail(status);
  PrintMessage(out);
  return 0;
}

std::string Indicator(const std::string& arg) {
  return ResourceName("indicators", arg);
}

std::string Report(const std::string& arg) {
  return ResourceName("followUpReports", arg);
}

// --date as a Date, or unset (today) when empty.
absl::Status SetDate(common::v1::Date* out) {
  std::string date = absl::GetFlag(FLAGS_date);
  if (date.empty()) return absl::OkStatus();
  absl::StatusOr<common::v1::Date> parsed = ParseDate("--date", date);
  if (!parsed.ok()) return parsed.status();
  *out = *parsed;
  return absl::OkStatus();
}

int Propose(Stub& stub, const Args& args) {
  if (args.size() != 1) return UsageError("usage: followup propose POLICY");
  v1::ProposeIndicatorsRequest request;
  request.set_policy_name(ResourceName("policies", args[0]));
  v1::ProposeIndicatorsResponse response;
  return Finish(stub.ProposeIndicators(NewContext().get(), request, &response),
                response);
}

int IndicatorCreate(Stub& stub, const Args& args) {
  if (args.size() != 2) {
    return UsageError(
        "usage: followup indicator create ID FILE (an Indicator in proto "
        "text or JSON)");
  }
  v1::CreateIndicatorRequest request;
  if (auto s = ParseMessageFile(args[1], request.mutable_indicator());
      !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  request.set_parent(MunicipalityParent());
  request.set_indicator_id(args[0]);
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::Indicator response;
  return Finish(stub.CreateIndicator(NewContext().get(), request, &response),
                response);
}

int IndicatorGet(Stub& stub, const Args& args) {
  if (args.size() != 1) return UsageError("usage: followup indicator get ID");
  v1::GetIndicatorRequest request;
  request.set_name(Indicator(args[0]));
  v1::Indicator response;
  return Finish(stub.GetIndicator(NewContext().get(), request, &response),
                response);
}

int IndicatorList(Stub& stub, const Args& args) {
  if (!args.empty()) return UsageError("usage: followup indicator list");
  v1::ListIndicatorsRequest request;
  request.set_parent(MunicipalityParent());
  if (!absl::GetFlag(FLAGS_policy).empty()) {
    request.set_policy_name(
        ResourceName("policies", absl::GetFlag(FLAGS_policy)));
  }
  v1::ListIndicatorsResponse all;
  while (true) {
    v1::ListIndicatorsResponse response;
    grpc::Status status =
        stub.ListIndicators(NewContext().get(), request, &response);
    if (!status.ok()) return Fail(status);
    for (const v1::Indicator& i : response.indicators()) {
      *all.add_indicators() = i;
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (OutputRequested()) {
    PrintMessage(all);
    return 0;
  }
  for (const v1::Indicator& i : all.indicators()) {
    std::cout << i.name() << "\t"
              << EnumLabel(v1::IndicatorKind_descriptor(), "INDICATOR_KIND_",
                           i.kind())
              << "\t" << i.display_name() << "\n";
  }
  return 0;
}

int Record(Stub& stub, const Args& args) {
  if (args.size() != 3) {
    return UsageError(
        "usage: followup record [--note=N] INDICATOR PERIOD VALUE, or "
        "--assessment=STATUS --note=N INDICATOR PERIOD - (qualitative)");
  }
  double value = 0;
  std::string assessment = absl::GetFlag(FLAGS_assessment);
  if (!(assessment.empty() ? absl::SimpleAtod(args[2], &value)
                           : args[2] == "-")) {
    return UsageError(
        absl::StrCat("followup record: \"", args[2], "\" is not a number"));
  }
  v1::BatchRecordMeasurementsRequest request;
  request.set_parent(MunicipalityParent());
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::RecordMeasurementRequest* r = request.add_requests();
  r->set_indicator_name(Indicator(args[0]));
  r->mutable_measurement()->set_period(args[1]);
  r->mutable_measurement()->set_value(value);
  r->mutable_measurement()->set_source(absl::GetFlag(FLAGS_source));
  r->mutable_measurement()->set_note(absl::GetFlag(FLAGS_note));
  if (!assessment.empty()) {
    absl::StatusOr<int> status = ParseEnumValue(
        v1::Status_descriptor(), "STATUS_", "--assessment", assessment);
    if (!status.ok()) return UsageError(std::string(status.status().message()));
    r->mutable_measurement()->mutable_assessment()->set_status(
        static_cast<v1::Status>(*status));
    r->mutable_measurement()->mutable_assessment()->set_note(
        absl::GetFlag(FLAGS_note));
  }
  v1::BatchRecordMeasurementsResponse response;
  return Finish(
      stub.BatchRecordMeasurements(NewContext().get(), request, &response),
      response);
}

int Import(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError(
        "usage: followup import [--skip_bad_rows] [--source=S] FILE.csv");
  }
  absl::StatusOr<std::string> csv = ReadFile(args[0]);
  if (!csv.ok()) return UsageError(std::string(csv.status().message()));
  v1::ImportMeasurementsRequest request;
  request.set_parent(MunicipalityParent());
  request.set_csv(*csv);
  request.set_layout(v1::CSV_LAYOUT_MEASUREMENTS);
  request.set_skip_bad_rows(absl::GetFlag(FLAGS_skip_bad_rows));
  request.set_source(absl::GetFlag(FLAGS_source));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::ImportMeasurementsResponse response;
  return Finish(stub.ImportMeasurements(NewContext().get(), request, &response),
                response);
}

int Status(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError("usage: followup status [--date=D] INDICATOR");
  }
  v1::GetIndicatorStatusRequest request;
  request.set_name(Indicator(args[0]));
  if (auto s = SetDate(request.mutable_as_of()); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  v1::IndicatorStatus response;
  return Finish(stub.GetIndicatorStatus(NewContext().get(), request, &response),
                response);
}

int Summary(Stub& stub, const Args& args) {
  if (!args.empty()) {
    return UsageError(
        "usage: followup summary [--policy=P] [--group=G] [--date=D]");
  }
  v1::SummarizeStatusesRequest request;
  request.set_parent(MunicipalityParent());
  if (!absl::GetFlag(FLAGS_policy).empty()) {
    request.set_policy_name(
        ResourceName("policies", absl::GetFlag(FLAGS_policy)));
  }
  absl::StatusOr<int> group =
      ParseEnumValue(v1::StatusGrouping_descriptor(), "STATUS_GROUPING_",
                     "--group", absl::GetFlag(FLAGS_group));
  if (!group.ok()) return UsageError(std::string(group.status().message()));
  request.set_grouping(static_cast<v1::StatusGrouping>(*group));
  if (auto s = SetDate(request.mutable_as_of()); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  v1::SummarizeStatusesResponse response;
  return Finish(stub.SummarizeStatuses(NewContext().get(), request, &response),
                response);
}

int ReportCreate(Stub& stub, const Args& args) {
  if (args.size() != 1 || absl::GetFlag(FLAGS_policy).empty() ||
      absl::GetFlag(FLAGS_display_name).empty()) {
    return UsageError(
        "usage: followup report create --policy=P --display_name=T "
        "[--date=D] [--request_id=R] ID");
  }
  v1::CreateFollowUpReportRequest request;
  request.set_parent(MunicipalityParent());
  request.set_follow_up_report_id(args[0]);
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::FollowUpReport* report = request.mutable_follow_up_report();
  report->set_policy_name(
      ResourceName("policies", absl::GetFlag(FLAGS_policy)));
  report->set_display_name(absl::GetFlag(FLAGS_display_name));
  if (auto s = SetDate(report->mutable_as_of()); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  v1::FollowUpReport response;
  return Finish(
      stub.CreateFollowUpReport(NewContext().get(), request, &response),
      response);
}

int ReportPublish(Stub& stub, const Args& args) {
  if (args.size() != 1) return UsageError("usage: followup report publish ID");
  v1::PublishFollowUpReportRequest request;
  request.set_name(Report(args[0]));
  v1::FollowUpReport response;
  return Finish(
      stub.PublishFollowUpReport(NewContext().get(), request, &response),
      response);
}

int ReportExport(Stub& stub, const Args& args) {
  if (args.size() != 1) {
    return UsageError(
        "usage: followup report export --format=markdown|html ID");
  }
  v1::ExportFollowUpReportRequest request;
  request.set_name(Report(args[0]));
  request.set_format(absl::GetFlag(FLAGS_format) == "html"
                         ? v1::REPORT_FORMAT_HTML
                         : v1::REPORT_FORMAT_MARKDOWN);
  v1::ExportFollowUpReportResponse response;
  grpc::Status status =
      stub.ExportFollowUpReport(NewContext().get(), request, &response);
  if (!status.ok()) return Fail(status);
  std::cout << response.document();
  return 0;
}

}  // namespace

int RunFollowUpCommand(Stub& stub, const Args& args) {
  static const auto* const kIndicator = new std::map<std::string, Command>{
      {"create", Checked(IndicatorCreate)},
      {"get", Checked(IndicatorGet)},
      {"list", Checked(IndicatorList)},
  };
  static const auto* const kReport = new std::map<std::string, Command>{
      {"create", Checked(ReportCreate)},
      {"publish", Checked(ReportPublish)},
      {"export", Checked(ReportExport)},
  };
  static const auto* const kCommands = new std::map<std::string, Command>{
      {"propose", Checked(Propose)},
      {"indicator",
       [](Stub& stub, const Args& args) {
         return Dispatch(stub, "followup indicator", *kIndicator, args,
                         FollowUpCommandsHelp());
       }},
      {"record", Checked(Record)},
      {"import", Checked(Import)},
      {"status", Checked(Status)},
      {"summary", Checked(Summary)},
      {"report",
       [](Stub& stub, const Args& args) {
         return Dispatch(stub, "followup report", *kReport, args,
                         FollowUpCommandsHelp());
       }},
  };
  return Dispatch(stub, "followup", *kCommands, args, FollowUpCommandsHelp());
}

std::string FollowUpCommandsHelp() {
  return R"(Follow-up commands (--followup_address; INDICATOR, POLICY and report ids in --municipality or full names):
  followup propose POLICY                          proposed indicators for the policy's success criteria
  followup indicator create [--request_id=R] ID FILE
                                                   create an indicator (FILE: an Indicator, proto text or JSON)
  followup indicator get INDICATOR                 print an indicator
  followup indicator list [--policy=POLICY]        list the municipality's indicators
  followup record [--source=S] [--note=N] INDICATOR PERIOD VALUE
                                                   record one value ("2009", "2009-Q2", "2009-05")
  followup record --assessment=STATUS --note=N INDICATOR PERIOD -
                                                   a person's status of a qualitative indicator
  followup import [--skip_bad_rows] [--source=S] FILE.csv
                                                   import values (columns indicator_id;period;value[;series;source;note])
  followup status [--date=D] INDICATOR             the indicator's status, progress and forecast
  followup summary [--policy=P] [--group=focus_area|committee|policy] [--date=D]
                                                   counts of each status
  followup report create --policy=P --display_name=T [--date=D] ID
                                                   make the follow-up report (a draft)
  followup report publish ID                       publish it (then anyone may read it)
  followup report export [--format=markdown|html] ID
                                                   print it as Markdown or HTML)";
}

}  // namespace kommune::ctl
