#pragma once
// The typed entry point over any ds::db::Connection (SQLite or Turso alike):
//
//   ds::db::query::Db db(*connection);
//   auto rows = db.select(projects).where(projects.user_id == id).order_by(projects.created_at).all();
#include <functional>

#include "db/query/delete.hpp"
#include "db/query/insert.hpp"
#include "db/query/select.hpp"
#include "db/query/update.hpp"

namespace ds::db::query {

class Db {
 public:
  explicit Db(Connection& conn) noexcept : conn_(&conn) {}

  // select(table): every column of that table, as Row<T>; select(columns/tables...).from(t):
  // the chosen items, as a value (one item) or a std::tuple.
  template <class... X>
  auto select(const X&...) const {
    static_assert(sizeof...(X) > 0, "select: name a table or columns");
    using From = std::conditional_t<sizeof...(X) == 1 && (TableRef<X> && ...), std::tuple_element_t<0, std::tuple<X...>>, void>;
    return SelectQuery<std::tuple<decltype(make_item<X>())...>, From, std::tuple<>, NoCondition, std::tuple<>, false, false>(*conn_);
  }
  template <TableRef T> auto insert(const T&) const { return InsertStart<T>(*conn_); }
  template <TableRef T> auto update(const T&) const { return UpdateStart<T>(*conn_); }
  template <TableRef T> auto delete_from(const T&) const { return DeleteQuery<T, NoCondition, false>(*conn_); }

  // Runs `body(Db&)` in one write transaction (commit on return, rollback on throw).
  template <class F>
  void transaction(F&& body) const {
    conn_->transaction([&](Connection& tx) {
      Db inner(tx);
      body(inner);
    });
  }

  Connection& connection() const noexcept { return *conn_; }

 private:
  Connection* conn_;
};

}  // namespace ds::db::query
