#pragma once
// Owns the live database: which type is selected, whether it is initialized, the single-flight
// setup, and the initialization pipeline run at setup and at every start.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/database_type.hpp"
#include "db/connection.hpp"
#include "db/init_stage.hpp"
#include "db/live_database.hpp"

namespace ds::setup {

struct Status {
  bool configured = false;
  bool initialized = false;
  std::optional<DatabaseType> dialect;
};

using db::InitStage;

struct SetupResult {
  enum class Outcome {
    ok,
    ok_restart_required,
    already_performed,
    in_progress,
    invalid_selection,
    configuration_incomplete,
    initialization_failed,
  } outcome;
  std::optional<DatabaseType> database_type;
  std::string details;  // safe for clients: no secrets
};

class DatabaseManager final : public db::LiveDatabase {
 public:
  DatabaseManager(Config config, std::vector<InitStage> stages);
  ~DatabaseManager() override;

  // At start: reads the selection (or DB_TYPE) and opens and initializes that database.
  // Never creates a missing SQLite file. Failures are logged and reported by status(); when
  // the database is unreachable (Errc::unavailable), a background thread retries with
  // exponential backoff until it is initialized.
  void boot();

  Status status() const;
  // status() as the JSON body of GET /api/db/status, built once per state change.
  std::shared_ptr<const std::string> status_json() const { return status_json_.load(); }

  // Whether the server can serve its database (initialized: migrations applied at setup or
  // start), and the JSON body of GET /ready saying so, built once per state change. The
  // reason is safe for clients (what setup would answer): no secrets.
  struct Readiness {
    bool ready = false;
    std::string json;
  };
  std::shared_ptr<const Readiness> readiness() const { return readiness_.load(); }

  // POST /api/db/setup for `type`; single-flight.
  SetupResult setup(DatabaseType type);

  // The live database, or null when none is initialized.
  std::shared_ptr<db::Connection> database() const override { return live_.load(); }

  // The live database's Connection::reads_never_wait(); false when there is none. Cheap
  // (one atomic load): asked on every read request.
  bool reads_never_wait() const noexcept {
    return reads_never_wait_.load(std::memory_order_relaxed);
  }

  // Stops a background retry (waiting for an attempt in progress), then drops the live
  // handle (closes the database once no request holds it).
  void close();

 private:
  // Opens `type`'s database and runs every stage. Returns whether a non-required stage
  // failed. Throws ds::Error when the database cannot be used.
  std::shared_ptr<db::Connection> open_and_initialize(DatabaseType type, bool create,
                                                      bool& degraded);
  // Call with state_mutex_ held; `not_ready` says why the database is not serving (ignored
  // once initialized).
  void publish_status(std::string not_ready = {});
  void set_live(std::shared_ptr<db::Connection> conn);
  void not_ready(std::string reason);  // republishes the readiness reason (takes the lock)
  // Opens and initializes `type` at start; true when done or not worth retrying.
  bool try_boot(DatabaseType type);
  void retry_boot(std::stop_token stop, DatabaseType type);

  Config config_;
  std::vector<InitStage> stages_;

  mutable std::mutex state_mutex_;
  Status status_;
  std::optional<std::string> invalid_reason_;
  std::optional<DatabaseType> setup_running_type_;

  std::atomic<std::shared_ptr<db::Connection>> live_;
  std::atomic<bool> reads_never_wait_{false};
  std::atomic<std::shared_ptr<const std::string>> status_json_;
  std::atomic<std::shared_ptr<const Readiness>> readiness_;

  std::mutex retry_mutex_;
  std::condition_variable_any retry_wakeup_;
  std::jthread retry_;  // last: stopped and joined before the members it uses go away
};

}  // namespace ds::setup
