#include "tools/kommunectl/client_context.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/grpc_util.h"

ABSL_FLAG(std::string, municipality, "",
          "Municipality code to act for, e.g. 169 (or - for every "
          "municipality in list and search).");
ABSL_FLAG(std::string, roles, "viewer",
          "Comma-separated roles to claim: viewer, editor, secretary, "
          "analyst, integration, admin.");
ABSL_FLAG(std::string, subject, "",
          "Who you are (the caller's subject); empty calls anonymously.");
ABSL_FLAG(std::string, identity_secret, "",
          "Sign the identity with this secret, as the gateway does; needed "
          "when the service was started with one.");
ABSL_FLAG(int, timeout_seconds, 30, "Deadline of each call.");
ABSL_FLAG(std::string, output, "",
          "How the hearing and treatment commands print resources: json "
          "(proto JSON, the default) or text (proto text). List commands "
          "print a table unless --output is given.");

namespace kommune::ctl {
namespace {

// Keeps the first error of a proto text parse.
class TextErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) {
      first = absl::StrCat("line ", line + 1, " column ", column + 1, ": ",
                           message);
    }
  }
  std::string first;
};

}  // namespace

std::string Municipality() { return absl::GetFlag(FLAGS_municipality); }

std::unique_ptr<grpc::ClientContext> NewContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_timeout_seconds))));
  std::string subject = absl::GetFlag(FLAGS_subject);
  if (subject.empty()) return context;
  Identity identity;
  identity.subject = subject;
  std::string code = Municipality();
  if (!code.empty() && code != "-") identity.municipality_codes.push_back(code);
  for (absl::string_view name :
       absl::StrSplit(absl::GetFlag(FLAGS_roles), ',', absl::SkipEmpty())) {
    if (auto role = ParseRole(name)) identity.roles.push_back(*role);
  }
  AttachIdentity(*context, identity, absl::GetFlag(FLAGS_identity_secret));
  return context;
}

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::cout << json;
}

int Fail(const grpc::Status& status) {
  std::cerr << absl::StatusCodeToString(
                   static_cast<absl::StatusCode>(status.error_code()))
            << ": " << status.error_message() << "\n";
  return 1;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::stringstream content;
  if (path == "-") {
    content << std::cin.rdbuf();
    return content.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  content << in.rdbuf();
  return content.str();
}

void PrintMessage(const google::protobuf::Message& message) {
  std::string output = absl::GetFlag(FLAGS_output);
  if (output == "text" || output == "textproto") {
    std::string text;
    google::protobuf::TextFormat::Printer printer;
    printer.SetUseUtf8StringEscaping(true);
    (void)printer.PrintToString(message, &text);
    std::cout << text;
    return;
  }
  PrintJson(message);
}

bool OutputRequested() { return !absl::GetFlag(FLAGS_output).empty(); }

int UsageError(const std::string& message) {
  std::cerr << message << "\n";
  return 2;
}

std::string MunicipalityParent() {
  return absl::StrCat("municipalities/", Municipality());
}

std::string ResourceName(const std::string& collection,
                         const std::string& arg) {
  if (absl::StartsWith(arg, "municipalities/")) return arg;
  return absl::StrCat(MunicipalityParent(), "/", collection, "/", arg);
}

absl::Status RequireMunicipality(const std::vector<std::string>& args) {
  std::string code = Municipality();
  if (!code.empty() && code != "-") return absl::OkStatus();
  for (const std::string& arg : args) {
    if (!absl::StartsWith(arg, "municipalities/")) {
      return absl::InvalidArgumentError(
          "--municipality is required (or give full resource names)");
    }
  }
  return absl::OkStatus();
}

absl::Status ParseMessageFile(const std::string& path,
                              google::protobuf::Message* message) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(*content);
  if (absl::StartsWith(trimmed, "{")) {
    auto status =
        google::protobuf::util::JsonStringToMessage(*content, message);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": not a ", message->GetTypeName(),
                       " in proto JSON: ", status.message().as_string()));
    }
    return absl::OkStatus();
  }
  TextErrors errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(*content, message)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a ", message->GetTypeName(),
                     " in proto text: ", errors.first));
  }
  return absl::OkStatus();
}

absl::StatusOr<kommune::common::v1::Date> ParseDate(const std::string& flag,
                                                    const std::string& value) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(value, &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", value, "' is not a day as YYYY-MM-DD"));
  }
  kommune::common::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::StatusOr<int> ParseEnumValue(
    const google::protobuf::EnumDescriptor* enum_type,
    const std::string& prefix, const std::string& flag,
    const std::string& value) {
  std::string name = absl::AsciiStrToUpper(
      absl::StrReplaceAll(value, {{"-", "_"}, {" ", "_"}}));
  if (!absl::StartsWith(name, prefix)) name = absl::StrCat(prefix, name);
  const google::protobuf::EnumValueDescriptor* found =
      enum_type->FindValueByName(name);
  if (found != nullptr && found->number() != 0) return found->number();
  std::vector<std::string> choices;
  for (int i = 0; i < enum_type->value_count(); ++i) {
    if (enum_type->value(i)->number() == 0) continue;
    choices.push_back(
        EnumLabel(enum_type, prefix, enum_type->value(i)->number()));
  }
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": '", value,
                                                 "' is not one of ",
                                                 absl::StrJoin(choices, ", ")));
}

std::string EnumLabel(const google::protobuf::EnumDescriptor* enum_type,
                      const std::string& prefix, int value) {
  const google::protobuf::EnumValueDescriptor* found =
      enum_type->FindValueByNumber(value);
  if (found == nullptr) return absl::StrCat(value);
  return absl::AsciiStrToLower(absl::StripPrefix(found->name(), prefix));
}

}  // namespace kommune::ctl
