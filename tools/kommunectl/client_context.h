#ifndef KOMMUNE_TOOLS_KOMMUNECTL_CLIENT_CONTEXT_H_
#define KOMMUNE_TOOLS_KOMMUNECTL_CLIENT_CONTEXT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "kommune/common/v1/types.pb.h"

namespace kommune::ctl {

// A context for one call, carrying the identity given by --municipality,
// --roles and --subject (signed with --identity_secret when set, as the
// gateway would), and the --timeout deadline.
std::unique_ptr<grpc::ClientContext> NewContext();

// The municipality code from --municipality ("-" for all).
std::string Municipality();

// Prints a response as proto JSON on stdout.
void PrintJson(const google::protobuf::Message& message);

// Prints a failed call as "CODE: message" on stderr; returns the exit code.
int Fail(const grpc::Status& status);

// The whole content of a file, or of standard input for "-".
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Prints a message on stdout in the --output format: proto JSON (the
// default) or proto text.
void PrintMessage(const google::protobuf::Message& message);

// --output was given explicitly (list commands then print whole messages
// instead of a table).
bool OutputRequested();

// Prints `message` on stderr; returns the exit code of a usage error (2).
int UsageError(const std::string& message);

// The full name of a resource of --municipality: "ID" becomes
// "municipalities/{code}/{collection}/ID"; a full name stays as it is.
std::string ResourceName(const std::string& collection, const std::string& arg);

// "municipalities/{code}" of --municipality.
std::string MunicipalityParent();

// Fails with a usage message when --municipality is needed (some argument
// is not a full resource name) and not given.
absl::Status RequireMunicipality(const std::vector<std::string>& args);

// Parses a file (or - for stdin) holding `message` as proto text or, when
// it starts with '{', as proto JSON.
absl::Status ParseMessageFile(const std::string& path,
                              google::protobuf::Message* message);

// A YYYY-MM-DD day as a Date.
absl::StatusOr<kommune::common::v1::Date> ParseDate(const std::string& flag,
                                                    const std::string& value);

// An enum value from a short flag value: ParseEnumValue(desc,
// "DISPOSITION_", "not-incorporated") is DISPOSITION_NOT_INCORPORATED; the
// full value name is accepted too. The error lists the choices.
absl::StatusOr<int> ParseEnumValue(
    const google::protobuf::EnumDescriptor* enum_type,
    const std::string& prefix, const std::string& flag,
    const std::string& value);

// "not_incorporated" for DISPOSITION_NOT_INCORPORATED.
std::string EnumLabel(const google::protobuf::EnumDescriptor* enum_type,
                      const std::string& prefix, int value);

}  // namespace kommune::ctl

#endif  // KOMMUNE_TOOLS_KOMMUNECTL_CLIENT_CONTEXT_H_
