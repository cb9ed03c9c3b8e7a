#pragma once
// The typed entry point over any ds::db::Connection (SQLite or Turso alike):
//
//   ds::db::query::Db db(*connection);
//   auto rows = db.select(projects).where(projects.user_id == id).all();
//   db.transaction([&](ds::db::query::Tx& tx) { tx.insert(projects).values(p).run(); });
#include <functional>

#include "db/query/delete.hpp"
#include "db/query/insert.hpp"
#include "db/query/select.hpp"
#include "db/query/update.hpp"

namespace ds::db::query {

// The typed statements, over anything that runs statements (a database or a transaction).
class Queries {
 public:
  explicit Queries(Executor& exec) noexcept : exec_(&exec) {}

  // select(table): every column of that table, as Row<T>; select(columns/tables...).from(t):
  // the chosen items, as a value (one item) or a std::tuple.
  template <class... X>
  auto select(const X&...) const {
    static_assert(sizeof...(X) > 0, "select: name a table or columns");
    using From = std::conditional_t<sizeof...(X) == 1 && (TableRef<X> && ...), std::tuple_element_t<0, std::tuple<X...>>, void>;
    return SelectQuery<std::tuple<decltype(make_item<X>())...>, From, std::tuple<>, NoCondition,
                       std::tuple<>, false, false>(*exec_);
  }
  template <TableRef T>
  auto insert(const T&) const {
    return InsertStart<T>(*exec_);
  }
  template <TableRef T>
  auto update(const T&) const {
    return UpdateStart<T>(*exec_);
  }
  template <TableRef T>
  auto delete_from(const T&) const {
    return DeleteQuery<T, NoCondition, false>(*exec_);
  }

 protected:
  Executor* exec_;
};

// The typed statements inside one transaction (what Db::transaction gives its body), plus
// savepoints. There is no transaction() here: a transaction does not nest.
class Tx : public Queries {
 public:
  explicit Tx(Transaction& tx) noexcept : Queries(tx), tx_(&tx) {}

  // Runs `body(Tx&)` in a savepoint: when it throws, only its statements are rolled back
  // and the exception goes on; the transaction stays open.
  template <class F>
  void savepoint(F&& body) const {
    tx_->savepoint([&](Transaction& t) {
      Tx inner(t);
      body(inner);
    });
  }

  // Named rule: says why at compile time rather than "no member named transaction".
  template <class F>
  void transaction(F&&) const {
    static_assert(sizeof(F) == 0,
                  "NESTED TRANSACTION: this code already runs inside a transaction; use "
                  "savepoint() for a part that may fail on its own");
  }

 private:
  Transaction* tx_;
};

// The typed entry point over a database.
class Db : public Queries {
 public:
  explicit Db(Connection& conn) noexcept : Queries(conn), conn_(&conn) {}

  // Runs `body(Tx&)` in one write transaction (commit on return, rollback on throw).
  template <class F>
  void transaction(F&& body) const {
    conn_->transaction([&](Transaction& t) {
      Tx tx(t);
      body(tx);
    });
  }

  // Named rule: a savepoint exists only inside a transaction.
  template <class F>
  void savepoint(F&&) const {
    static_assert(sizeof(F) == 0,
                  "TRANSACTION ONLY: savepoint() exists only inside a transaction; call it on "
                  "the Tx that transaction() gives its body");
  }

 private:
  Connection* conn_;
};

}  // namespace ds::db::query
