#include "support/hrana_test_server.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string_view>

namespace ds::test {

std::filesystem::path HranaTestServer::python() {
  return DS_PYTHON3;
}

std::filesystem::path HranaTestServer::script() {
  return std::filesystem::path(DS_SOURCE_DIR) / "tests/support/hrana_server.py";
}

HranaTestServer::HranaTestServer(std::filesystem::path dir, Options options)
    : dir_(std::move(dir)), db_file_(dir_ / "test.db"), options_(std::move(options)) {
  if (::access(python().c_str(), X_OK) != 0) {
    throw std::runtime_error(
        "python3 is not runnable at " + python().string() +
        " (found when CMake configured the build): the Hrana test server needs it");
  }
  if (::access(script().c_str(), R_OK) != 0) {
    throw std::runtime_error("the Hrana test server script is missing: " + script().string());
  }
  // Port 0: the server binds a free port itself and prints it, so no port can be taken
  // between picking and binding.
  if (!launch(0)) {
    throw std::runtime_error("the Hrana test server did not become ready; see " +
                             (dir_ / "hrana_server.stderr").string());
  }
}

HranaTestServer::~HranaTestServer() {
  stop();
}

bool HranaTestServer::launch(std::uint16_t port) {
  std::vector<std::string> argv{python().string(),
                                script().string(),
                                "--db",
                                db_file_.string(),
                                "--port",
                                std::to_string(port),
                                "--versions",
                                options_.versions,
                                "--stream-idle-seconds",
                                std::to_string(options_.stream_idle_seconds),
                                "--unknown-baton-status",
                                std::to_string(options_.unknown_baton_status)};
  if (options_.token) {
    argv.push_back("--token");
    argv.push_back(*options_.token);
  }
  process_ = std::make_unique<Subprocess>(Subprocess::Options{
      std::move(argv), {{"PYTHONUNBUFFERED", "1"}}, dir_, dir_ / "hrana_server.stderr"});
  // The line is printed once the socket listens; wait_for_line returns early when the child
  // exits (e.g. the port of a restart is taken).
  const auto line = process_->wait_for_line("listening on 127.0.0.1:", std::chrono::seconds(20));
  if (!line) {
    process_.reset();
    return false;
  }
  const auto colon = line->rfind(':');
  port_ = static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
  return true;
}

void HranaTestServer::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  if (!process_->wait(std::chrono::seconds(5))) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(10));
  }
  process_.reset();
}

void HranaTestServer::start() {
  if (process_) return;
  // The old socket may linger for a moment after the stop: a bounded number of attempts, each
  // ending as soon as the child exits.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (launch(port_)) return;
  }
  throw std::runtime_error("the Hrana test server did not restart on port " +
                           std::to_string(port_) + "; see " +
                           (dir_ / "hrana_server.stderr").string());
}

}  // namespace ds::test
