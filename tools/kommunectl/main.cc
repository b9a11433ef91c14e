// kommunectl: the command-line client of the policy suite.
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "tools/kommunectl/policy_commands.h"

ABSL_FLAG(std::string, policy_address, "localhost:50051",
          "host:port of the policy service (or the gateway).");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      absl::StrCat("kommunectl [flags] COMMAND [ARGS]\n\n",
                   kommune::ctl::PolicyCommandsHelp(),
                   "\n\nIdentity: --municipality, --roles, --subject (and "
                   "--identity_secret to sign it like the gateway)."));
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  std::string command = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  auto stub = kommune::policy::v1::PolicyService::NewStub(grpc::CreateChannel(
      absl::GetFlag(FLAGS_policy_address), grpc::InsecureChannelCredentials()));
  int code = kommune::ctl::RunPolicyCommand(*stub, command, args);
  if (code == -1) {
    std::cerr << "unknown command '" << command << "'\n\n"
              << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  return code;
}
