#include "tools/kommunectl/client_context.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
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

namespace kommune::ctl {

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

}  // namespace kommune::ctl
