#pragma once
// A Connection decorator that counts each kind of call before passing it on: how tests prove
// how many round trips a piece of code costs. Not final: a test may override a call to act
// between the caller and the database (then call the base to keep counting).
#include "db/connection.hpp"

namespace ds::test {

class CountingConnection : public db::Connection {
 public:
  explicit CountingConnection(db::Connection& inner) : inner_(inner) {}

  db::Result execute(std::string_view sql, std::span<const db::Value> params) override {
    ++executes;
    return inner_.execute(sql, params);
  }
  std::vector<db::Outcome> execute_each(std::span<const db::Statement> statements) override {
    ++execute_eaches;
    return inner_.execute_each(statements);
  }
  std::vector<db::Result> batch(std::span<const db::Statement> statements) override {
    ++batches;
    return inner_.batch(statements);
  }
  void transaction(const std::function<void(db::Transaction&)>& body) override {
    ++transactions;
    inner_.transaction(body);
  }
  std::vector<db::Result> migration_batch(std::span<const db::Statement> statements) override {
    ++migration_batches;
    return inner_.migration_batch(statements);
  }
  bool reads_never_wait() const noexcept override { return inner_.reads_never_wait(); }
  std::string_view dialect() const noexcept override { return inner_.dialect(); }

  int executes = 0, execute_eaches = 0, batches = 0, transactions = 0, migration_batches = 0;

 protected:
  db::Connection& inner() { return inner_; }

 private:
  db::Connection& inner_;
};

}  // namespace ds::test
