#pragma once
// Builds db::Statements with the typed query API instead of running them: queries written
// against a StatementRecorder are recorded (SQL text + bound values) and answer empty
// results, so they can be sent later as ONE Connection::batch (one transaction on SQLite,
// one pipeline request on Turso). Services keep writing typed queries, never SQL text.
// (Belongs in db/query/ as a `.statement()` on each query once that API grows one.)
#include <vector>

#include "db/connection.hpp"

namespace ds::settings {

class StatementRecorder final : public db::Connection {
 public:
  db::Result execute(std::string_view sql, std::span<const db::Value> params) override;
  std::vector<db::Result> batch(std::span<const db::Statement> statements) override;
  void transaction(const std::function<void(db::Connection&)>& body) override;
  // Not recordable: ds::Error(misuse).
  std::vector<db::Result> migration_batch(std::span<const db::Statement> statements) override;
  std::string_view dialect() const noexcept override { return "recorder"; }

  std::vector<db::Statement>& statements() noexcept { return statements_; }
  std::vector<db::Statement> take() noexcept { return std::move(statements_); }

 private:
  std::vector<db::Statement> statements_;
};

}  // namespace ds::settings
