#include "setup/database_manager.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/time.hpp"
#include "db/open_database.hpp"
#include "setup/selection_file.hpp"

namespace ds::setup {

DatabaseManager::DatabaseManager(Config config, std::vector<InitStage> stages)
    : config_(std::move(config)), stages_(std::move(stages)) {
  std::lock_guard lock(state_mutex_);
  publish_status("setup not done: complete it via POST /api/db/setup");
}

DatabaseManager::~DatabaseManager() {
  retry_.request_stop();
  retry_wakeup_.notify_all();
}

void DatabaseManager::publish_status(std::string not_ready) {
  nlohmann::ordered_json j = {
      {"configured", status_.configured},
      {"initialized", status_.initialized},
      {"dialect", status_.dialect ? nlohmann::ordered_json(to_string(*status_.dialect))
                                  : nlohmann::ordered_json(nullptr)}};
  status_json_.store(std::make_shared<const std::string>(j.dump()));
  auto readiness = std::make_shared<Readiness>();
  readiness->ready = status_.initialized;
  readiness->json = readiness->ready ? nlohmann::ordered_json{{"status", "ready"}}.dump()
                                     : nlohmann::ordered_json{{"status", "not_ready"},
                                                              {"reason", std::move(not_ready)}}
                                           .dump();
  readiness_.store(std::move(readiness));
}

Status DatabaseManager::status() const {
  std::lock_guard lock(state_mutex_);
  return status_;
}

std::shared_ptr<db::Connection> DatabaseManager::open_and_initialize(DatabaseType type, bool create,
                                                                     bool& degraded) {
  const auto target = db::target_from_config(type, config_);
  auto conn = db::open_database(
      target, create ? db::OpenMode::create_if_missing : db::OpenMode::must_exist);
  degraded = false;
  for (const auto& stage : stages_) {
    try {
      stage.run(*conn);
    } catch (const std::exception& e) {
      if (stage.required) {
        // Keep a ds::Error's code: an unreachable database is worth retrying, a bad one not.
        const auto* error = dynamic_cast<const Error*>(&e);
        throw Error(error != nullptr ? error->code() : Errc::internal,
                    "stage '" + stage.name + "' failed: " + e.what());
      }
      spdlog::error("stage={} failed, continuing without it: {}", stage.name, e.what());
      degraded = true;
    }
  }
  return conn;
}

void DatabaseManager::boot() {
  const auto read = read_selection(config_.selection_file());
  std::optional<DatabaseType> type;
  {
    std::lock_guard lock(state_mutex_);
    switch (read.state) {
      case SelectionRead::State::invalid:
        invalid_reason_ = read.reason;
        status_ = {true, false, std::nullopt};
        publish_status("the selection file is invalid: " + read.reason +
                       "; fix or remove persistent_data/db.selection.json and restart");
        spdlog::error("selection file {} is invalid: {}. Fix or remove it, then restart.",
                      config_.selection_file().string(), read.reason);
        return;
      case SelectionRead::State::valid:
        type = read.selection.type;
        break;
      case SelectionRead::State::absent:
        type = config_.db_type;
        break;
    }
    if (!type) {
      spdlog::info("database not configured yet: complete setup via POST /api/db/setup");
      return;
    }
    status_ = {true, false, type};
    publish_status(fmt::format("database {} is initializing", to_string(*type)));
  }

  if (auto problem = db::configuration_problem(db::target_from_config(*type, config_))) {
    {
      std::lock_guard lock(state_mutex_);
      publish_status(
          fmt::format("database {} is not configured: {}; fix the environment and restart",
                      to_string(*type), *problem));
    }
    spdlog::error("database={} is not initialized: {}. Fix the environment and restart.",
                  to_string(*type), *problem);
    return;
  }
  if (!try_boot(*type)) {
    retry_ = std::jthread([this, t = *type](std::stop_token stop) { retry_boot(stop, t); });
  }
}

void DatabaseManager::not_ready(std::string reason) {
  std::lock_guard lock(state_mutex_);
  if (!status_.initialized) publish_status(std::move(reason));
}

bool DatabaseManager::try_boot(DatabaseType type) {
  try {
    bool degraded = false;
    auto conn = open_and_initialize(type, /*create=*/false, degraded);
    set_live(std::move(conn));
    std::lock_guard lock(state_mutex_);
    status_.initialized = true;
    publish_status();
    spdlog::info("database={} initialized", to_string(type));
    return true;
  } catch (const Error& e) {
    spdlog::error("database={} could not be initialized at start: {}", to_string(type), e.what());
    const bool retried = e.code() == Errc::unavailable;
    not_ready(fmt::format("database {} could not be initialized{}: {}", to_string(type),
                          retried ? " (retrying)" : "", e.what()));
    return !retried;
  } catch (const std::exception& e) {
    spdlog::error("database={} could not be initialized at start: {}", to_string(type), e.what());
    not_ready(fmt::format("database {} could not be initialized: {}", to_string(type), e.what()));
    return true;
  }
}

void DatabaseManager::retry_boot(std::stop_token stop, DatabaseType type) {
  using std::chrono::milliseconds;
  milliseconds delay(250);
  constexpr milliseconds kMaxDelay(15000);
  for (;;) {
    spdlog::warn("database={} unreachable; retrying in {} ms", to_string(type), delay.count());
    std::unique_lock lock(retry_mutex_);
    if (retry_wakeup_.wait_for(lock, stop, delay, [] { return false; }) || stop.stop_requested())
      return;
    lock.unlock();
    if (try_boot(type)) return;
    delay = std::min(delay * 2, kMaxDelay);
  }
}

SetupResult DatabaseManager::setup(DatabaseType type) {
  using Outcome = SetupResult::Outcome;
  {
    std::lock_guard lock(state_mutex_);
    if (invalid_reason_) {
      return {Outcome::invalid_selection, std::nullopt, *invalid_reason_};
    }
    if (status_.configured) return {Outcome::already_performed, status_.dialect, {}};
    // Whatever appeared at the selection's path since start (a volume mounted late, a file
    // restored) is never replaced.
    if (const auto read = read_selection(config_.selection_file());
        read.state == SelectionRead::State::invalid) {
      return {Outcome::invalid_selection, std::nullopt, read.reason};
    } else if (read.state == SelectionRead::State::valid) {
      return {Outcome::already_performed, read.selection.type, {}};
    }
    if (setup_running_type_) return {Outcome::in_progress, setup_running_type_, {}};
    if (auto problem = db::configuration_problem(db::target_from_config(type, config_))) {
      return {Outcome::configuration_incomplete, type, *problem};
    }
    setup_running_type_ = type;
  }

  SetupResult result{Outcome::ok, type, {}};
  std::shared_ptr<db::Connection> conn;
  try {
    bool degraded = false;
    conn = open_and_initialize(type, /*create=*/true, degraded);
    Selection selection{type, to_iso8601(now_ms()), "1.0", std::nullopt};
    if (const auto file = db::database_file(db::target_from_config(type, config_))) {
      selection.sqlite_path = file->string();
    }
    write_selection(config_.selection_file(), selection);
    if (degraded) result.outcome = Outcome::ok_restart_required;
  } catch (const std::exception& e) {
    spdlog::error("database={} setup failed: {}", to_string(type), e.what());
    result = {Outcome::initialization_failed, type, e.what()};
    conn.reset();
  }

  std::lock_guard lock(state_mutex_);
  setup_running_type_.reset();
  if (conn) {
    set_live(std::move(conn));
    status_ = {true, true, type};
    publish_status();
    spdlog::info("database={} setup complete", to_string(type));
  }
  return result;
}

void DatabaseManager::close() {
  // A background retry must not initialize (run stages, call plugins) after shutdown began.
  retry_.request_stop();
  retry_wakeup_.notify_all();
  if (retry_.joinable()) retry_.join();
  set_live(nullptr);
}

void DatabaseManager::set_live(std::shared_ptr<db::Connection> conn) {
  reads_never_wait_.store(conn && conn->reads_never_wait(), std::memory_order_relaxed);
  live_.store(std::move(conn));
}

}  // namespace ds::setup
