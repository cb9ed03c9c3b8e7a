#include "support/server_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/fs_watch.hpp"
#include "support/sanitizer_report.hpp"

namespace ds::test {

ServerProcess::ServerProcess(Env env, std::shared_ptr<DatabaseBackend> backend)
    : env_(std::move(env)), backend_(std::move(backend)) {
  backend_env_ = backend_->server_env(dir());
  // Created up front so that tests can watch it; the server must cope with an empty folder.
  std::ofstream(log_file(), std::ios::app).flush();
}

ServerProcess::~ServerProcess() {
  if (!process_ || run_checked_) return;
  auto status = stop();
  if (!status) {
    ADD_FAILURE() << "the server did not exit within 20 s of SIGTERM; its log:\n" << log();
    unclean_exit_expected_ = true;  // reported just above
    process_->signal(SIGKILL);
    status = process_->wait();
  }
  check_run(status);
}

void ServerProcess::check_run(std::optional<int> status) {
  if (run_checked_) return;
  run_checked_ = true;
  expect_no_sanitizer_report(log_file(), run_log_start_, "the server");
  if (!unclean_exit_expected_ && status != 0) {
    ADD_FAILURE()
        << "the server exited with status " << (status ? std::to_string(*status) : "(none)")
        << ", not 0 (call expect_unclean_exit() if the test means it); its log of this run:\n"
        << read_from(log_file(), run_log_start_);
  }
}

ServerProcess::Env ServerProcess::full_env() const {
  Env env = backend_env_;
  env["PORT"] = "0";
  env["HOST"] = "127.0.0.1";
  // Sanitizer settings reach the child so that it reports the same way the tests do.
  for (const char* name : kSanitizerOptionVariables) env[name] = sanitizer_options_for_child(name);
  for (const auto& [k, v] : env_) env[k] = v;
  return env;
}

void ServerProcess::start() {
  run_log_start_ = file_end(log_file());
  unclean_exit_expected_ = false;
  run_checked_ = false;
  process_ = std::make_unique<Subprocess>(Subprocess::Options{
      .argv = {DS_BINARY_PATH, "serve"}, .env = full_env(), .cwd = dir(), .stderr_file = log_file()});
  const auto line = process_->wait_for_line("deploystack listening on http://");
  if (!line) {
    process_->signal(SIGKILL);
    unclean_exit_expected_ = true;  // the exception below tells the test
    check_run(process_->wait());
    throw std::runtime_error("the server did not start; its log:\n" + log());
  }
  const auto colon = line->rfind(':');
  port_ = static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
}

std::optional<int> ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (!process_) return std::nullopt;
  process_->signal(SIGTERM);
  const auto status = process_->wait(timeout);
  if (status) check_run(status);
  return status;
}

void ServerProcess::kill9() {
  if (!process_) return;
  if (process_->running()) unclean_exit_expected_ = true;
  process_->signal(SIGKILL);
  check_run(process_->wait());
}

void ServerProcess::restart() {
  if (running()) stop();
  start();
}

bool ServerProcess::running() { return process_ && process_->running(); }

HttpResponse ServerProcess::setup_database() {
  Headers headers;
  if (auto it = env_.find("DEPLOYSTACK_SETUP_TOKEN"); it != env_.end()) {
    headers.emplace_back("Authorization", "Bearer " + it->second);
  }
  return request("POST", "/api/db/setup", R"({"type":")" + database_type() + R"("})", headers);
}

std::string ServerProcess::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::unique_ptr<HttpClient> ServerProcess::client() const {
  return std::make_unique<HttpClient>("127.0.0.1", port_);
}

HttpResponse ServerProcess::request(std::string_view method, std::string_view target, std::string_view body,
                                    const Headers& headers) const {
  return client()->request(method, target, body, headers);
}

std::string ServerProcess::log() const {
  std::ifstream in(log_file(), std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

int ServerProcess::log_count(std::string_view needle) const {
  std::istringstream in(log());
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) ++n;
  }
  return n;
}

bool ServerProcess::wait_for_log(std::string_view needle, std::chrono::milliseconds timeout) const {
  FsWatch watch(log_file());
  return watch.wait_until([&] { return log().find(needle) != std::string::npos; }, timeout);
}

Subprocess::Options ServerProcess::cli_options(const std::vector<std::string>& args) const {
  Subprocess::Options options{
      .argv = {DS_BINARY_PATH}, .env = full_env(), .cwd = dir(), .stderr_file = cli_log_file()};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  return options;
}

RunResult ServerProcess::run_cli(const std::vector<std::string>& args) const {
  const auto options = cli_options(args);
  const auto from = file_end(options.stderr_file);
  auto result = run_command(options);
  std::string command = "deploystack";
  for (const auto& arg : args) command += " " + arg;
  expect_no_sanitizer_report(options.stderr_file, from, command);
  return result;
}

}  // namespace ds::test
