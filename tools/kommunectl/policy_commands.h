#ifndef KOMMUNE_TOOLS_KOMMUNECTL_POLICY_COMMANDS_H_
#define KOMMUNE_TOOLS_KOMMUNECTL_POLICY_COMMANDS_H_

#include <memory>
#include <string>
#include <vector>

#include "kommune/policy/v1/policy_service.grpc.pb.h"

namespace kommune::ctl {

// Runs a policy command ("import", "get", ...) with its positional
// arguments; returns the process exit code, or -1 for an unknown command.
int RunPolicyCommand(kommune::policy::v1::PolicyService::Stub& stub,
                     const std::string& command,
                     const std::vector<std::string>& args);

// One line per command for --help.
std::string PolicyCommandsHelp();

}  // namespace kommune::ctl

#endif  // KOMMUNE_TOOLS_KOMMUNECTL_POLICY_COMMANDS_H_
