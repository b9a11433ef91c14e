// kommunectl: the command-line client of the policy suite.
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "tools/kommunectl/followup_commands.h"
#include "tools/kommunectl/hearing_commands.h"
#include "tools/kommunectl/policy_commands.h"
#include "tools/kommunectl/treatment_commands.h"

ABSL_FLAG(std::string, policy_address, "localhost:50051",
          "host:port of the policy service (or the gateway).");
ABSL_FLAG(std::string, hearing_address, "127.0.0.1:50052",
          "host:port of the hearing service (hearings, responses, "
          "treatment).");
ABSL_FLAG(std::string, followup_address, "127.0.0.1:50053",
          "host:port of the follow-up service (indicators, measurements, "
          "reports).");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      absl::StrCat("kommunectl [flags] COMMAND [ARGS]\n\n",
                   kommune::ctl::PolicyCommandsHelp(), "\n\n",
                   kommune::ctl::HearingCommandsHelp(), "\n\n",
                   kommune::ctl::TreatmentCommandsHelp(), "\n\n",
                   kommune::ctl::FollowUpCommandsHelp(),
                   "\n\nIdentity: --municipality, --roles, --subject (and "
                   "--identity_secret to sign it like the gateway)."));
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  std::string command = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  if (command == "followup") {
    auto stub = kommune::followup::v1::FollowUpService::NewStub(
        grpc::CreateChannel(absl::GetFlag(FLAGS_followup_address),
                            grpc::InsecureChannelCredentials()));
    return kommune::ctl::RunFollowUpCommand(*stub, args);
  }
  if (command == "hearings" || command == "responses" ||
      command == "treatment") {
    auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_hearing_address),
                                       grpc::InsecureChannelCredentials());
    if (command == "treatment") {
      auto stub = kommune::hearing::v1::TreatmentService::NewStub(channel);
      return kommune::ctl::RunTreatmentCommand(*stub, args);
    }
    auto stub = kommune::hearing::v1::HearingService::NewStub(channel);
    return command == "hearings"
               ? kommune::ctl::RunHearingsCommand(*stub, args)
               : kommune::ctl::RunResponsesCommand(*stub, args);
  }
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
