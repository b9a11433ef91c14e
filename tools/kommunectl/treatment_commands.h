#ifndef KOMMUNE_TOOLS_KOMMUNECTL_TREATMENT_COMMANDS_H_
#define KOMMUNE_TOOLS_KOMMUNECTL_TREATMENT_COMMANDS_H_

#include <string>
#include <vector>

#include "kommune/hearing/v1/hearing_service.grpc.pb.h"

namespace kommune::ctl {

// Runs "treatment SUBCOMMAND ARGS..." (args start with the subcommand:
// template, case, step or decide); returns the process exit code.
int RunTreatmentCommand(kommune::hearing::v1::TreatmentService::Stub& stub,
                        const std::vector<std::string>& args);

// One line per command for --help.
std::string TreatmentCommandsHelp();

}  // namespace kommune::ctl

#endif  // KOMMUNE_TOOLS_KOMMUNECTL_TREATMENT_COMMANDS_H_
