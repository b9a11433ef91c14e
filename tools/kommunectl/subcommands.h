#ifndef KOMMUNE_TOOLS_KOMMUNECTL_SUBCOMMANDS_H_
#define KOMMUNE_TOOLS_KOMMUNECTL_SUBCOMMANDS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/kommunectl/client_context.h"

namespace kommune::ctl {

// A subcommand of a command group, run with the arguments after its name.
template <typename Stub>
using Subcommand = std::function<int(Stub&, const std::vector<std::string>&)>;

// Runs the subcommand named by args[0] of `group` ("treatment case") with
// the rest; none or an unknown one is a usage error that shows `help`.
template <typename Stub>
int Dispatch(Stub& stub, const std::string& group,
             const std::map<std::string, Subcommand<Stub>>& commands,
             const std::vector<std::string>& args, const std::string& help) {
  if (args.empty()) {
    return UsageError(
        absl::StrCat("usage: ", group, " COMMAND [ARGS]\n\n", help));
  }
  auto it = commands.find(args[0]);
  if (it == commands.end()) {
    return UsageError(
        absl::StrCat("unknown command '", group, " ", args[0], "'\n\n", help));
  }
  return it->second(stub,
                    std::vector<std::string>(args.begin() + 1, args.end()));
}

// The resource argument comes first; without one, --municipality names the
// collection and is required.
template <typename Stub>
Subcommand<Stub> Checked(int (*command)(Stub&,
                                        const std::vector<std::string>&)) {
  return [command](Stub& stub, const std::vector<std::string>& args) {
    if (auto s = RequireMunicipality({args.empty() ? "" : args[0]}); !s.ok()) {
      return UsageError(std::string(s.message()));
    }
    return command(stub, args);
  };
}

}  // namespace kommune::ctl

#endif  // KOMMUNE_TOOLS_KOMMUNECTL_SUBCOMMANDS_H_
