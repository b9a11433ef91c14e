#ifndef KOMMUNE_TOOLS_KOMMUNECTL_HEARING_COMMANDS_H_
#define KOMMUNE_TOOLS_KOMMUNECTL_HEARING_COMMANDS_H_

#include <string>
#include <vector>

#include "kommune/hearing/v1/hearing_service.grpc.pb.h"

namespace kommune::ctl {

// Runs "hearings SUBCOMMAND ARGS..." (args start with the subcommand);
// returns the process exit code.
int RunHearingsCommand(kommune::hearing::v1::HearingService::Stub& stub,
                       const std::vector<std::string>& args);

// Runs "responses SUBCOMMAND ARGS...".
int RunResponsesCommand(kommune::hearing::v1::HearingService::Stub& stub,
                        const std::vector<std::string>& args);

// One line per command for --help.
std::string HearingCommandsHelp();

}  // namespace kommune::ctl

#endif  // KOMMUNE_TOOLS_KOMMUNECTL_HEARING_COMMANDS_H_
