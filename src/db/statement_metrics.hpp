#pragma once
// Statement latency by kind, recorded by every driver the same way (GET /metrics:
// deploystack_db_statement_duration_seconds, deploystack_db_statement_errors_total).
#include <chrono>
#include <exception>

namespace ds::db {

enum class StatementKind { read, write, batch, transaction, migration };

// Times one call of a driver's Connection from construction to destruction; a call that ends
// with an exception also counts as an error of its kind.
class StatementTimer {
 public:
  explicit StatementTimer(StatementKind kind) noexcept
      : kind_(kind), start_(std::chrono::steady_clock::now()) {}
  StatementTimer(const StatementTimer&) = delete;
  StatementTimer& operator=(const StatementTimer&) = delete;
  ~StatementTimer();

  // For a call whose kind is known only once it has started (a statement that reads or not).
  void set_kind(StatementKind kind) noexcept { kind_ = kind; }

 private:
  StatementKind kind_;
  std::chrono::steady_clock::time_point start_;
  int exceptions_ = std::uncaught_exceptions();
};

}  // namespace ds::db
