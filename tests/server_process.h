#ifndef KOMMUNE_TESTS_SERVER_PROCESS_H_
#define KOMMUNE_TESTS_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kommune::testing {

// A free TCP port on 127.0.0.1 (bound once and released).
int PickFreePort();

// What a finished command printed and returned.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs binary with args to completion, capturing stdout and stderr.
CommandResult RunCommand(const std::string& binary,
                         const std::vector<std::string>& args);

// A server binary started as a child process, its stderr (the JSON log)
// captured to a file.
class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts binary with args and extra KEY=VALUE environment entries.
  absl::Status Start(const std::string& binary,
                     const std::vector<std::string>& args,
                     const std::vector<std::string>& env = {});
  // Waits until a log line contains `text`.
  bool WaitForLog(const std::string& text, absl::Duration timeout) const;
  // The captured log so far.
  std::string Log() const;
  void Signal(int signal) const;
  // Waits for exit; returns the exit code, or -1 on timeout or a crash.
  int Wait(absl::Duration timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

}  // namespace kommune::testing

#endif  // KOMMUNE_TESTS_SERVER_PROCESS_H_
