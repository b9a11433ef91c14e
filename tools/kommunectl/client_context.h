#ifndef KOMMUNE_TOOLS_KOMMUNECTL_CLIENT_CONTEXT_H_
#define KOMMUNE_TOOLS_KOMMUNECTL_CLIENT_CONTEXT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

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

}  // namespace kommune::ctl

#endif  // KOMMUNE_TOOLS_KOMMUNECTL_CLIENT_CONTEXT_H_
