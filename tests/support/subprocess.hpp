#pragma once
// A child process for tests: started with an exact environment and working folder, stdout
// read line by line (to wait for readiness without sleeping), stderr captured to a file.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ds::test {

class Subprocess {
 public:
  struct Options {
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;  // the child's whole environment (plus PATH)
    std::filesystem::path cwd;
    std::filesystem::path stderr_file;  // empty: inherit
  };

  explicit Subprocess(Options options);
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();  // kills the child if it still runs

  // Reads stdout until a line contains `needle`; returns that line, or nullopt when the
  // child exits or `timeout` passes first.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Everything read from stdout so far.
  const std::string& stdout_text() const { return stdout_; }

  void signal(int sig);
  // Waits for the child to exit; returns its exit status (128+signal when killed), or
  // nullopt after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stdout_;
  std::optional<int> exit_status_;
};

// The full path of the executable `name` found on PATH as a shell would (children start with
// execv, which does not search), or an empty string when there is none.
std::string find_on_path(const std::string& name);

// Runs a command to completion and returns {exit status, stdout}.
struct RunResult {
  int status;
  std::string out;
};
RunResult run_command(Subprocess::Options options,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace ds::test
