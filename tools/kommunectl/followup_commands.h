#ifndef KOMMUNE_TOOLS_KOMMUNECTL_FOLLOWUP_COMMANDS_H_
#define KOMMUNE_TOOLS_KOMMUNECTL_FOLLOWUP_COMMANDS_H_

#include <string>
#include <vector>

#include "kommune/followup/v1/followup_service.grpc.pb.h"

namespace kommune::ctl {

// Runs "followup SUBCOMMAND ARGS..." (indicators, measurements, status and
// reports); returns the process exit code.
int RunFollowUpCommand(kommune::followup::v1::FollowUpService::Stub& stub,
                       const std::vector<std::string>& args);

// One line per command for --help.
std::string FollowUpCommandsHelp();

}  // namespace kommune::ctl

#endif  // KOMMUNE_TOOLS_KOMMUNECTL_FOLLOWUP_COMMANDS_H_
