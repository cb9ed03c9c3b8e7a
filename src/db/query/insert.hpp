#pragma once
// INSERT: db.insert(projects).values({.id = uuid_v4(), .name = "x"}).run()
//         ... .on_conflict_do_nothing() / .on_conflict_do_update(t.key, Patch<T>{...})
//         ... .on_conflict_do_update(t.key, excluded(t.value, t.updated_at))  (the new row's values)
//         ... .returning().first()
#include <cstdint>
#include <string>
#include <vector>

#include "db/query/single_table_write.hpp"

namespace ds::db::query {

enum class Conflict { none, do_nothing, do_update, do_update_excluded };

// The columns an upsert takes from the row it tried to insert: SET "col" = excluded."col".
template <ColumnRef... C>
struct Excluded {};
template <ColumnRef... C>
Excluded<std::remove_cvref_t<C>...> excluded(const C&...) {
  static_assert(sizeof...(C) > 0, "excluded: name at least one column");
  return {};
}
template <class TargetColumn, class Set>
struct ExcludedUpdate {};

template <class T, Conflict K, class Target, bool Returning>
class InsertQuery : public SingleTableWrite<InsertQuery<T, K, Target, Returning>, T, Returning> {
 public:
  InsertQuery(Executor& exec, std::vector<dsl::InsertRow<T>> rows, dsl::Patch<T> update = {})
      : exec_(&exec), rows_(std::move(rows)), update_(std::move(update)) {}

  auto on_conflict_do_nothing() && {
    return InsertQuery<T, Conflict::do_nothing, void, Returning>(*exec_, std::move(rows_));
  }
  // ON CONFLICT (target) DO UPDATE SET <the fields present in `set`>.
  template <ColumnRef C>
  auto on_conflict_do_update(const C&, dsl::Patch<T> set) && {
    static_assert(std::is_same_v<typename C::table, T>, "UNNAMED TABLE: the conflict target must be a column of the table inserted into");
    return InsertQuery<T, Conflict::do_update, C, Returning>(*exec_, std::move(rows_),
                                                             std::move(set));
  }
  // ON CONFLICT (target) DO UPDATE SET c = excluded.c for each column named in excluded(...).
  template <ColumnRef C, class... E>
  auto on_conflict_do_update(const C&, Excluded<E...>) && {
    static_assert(std::is_same_v<typename C::table, T> && (std::is_same_v<typename E::table, T> && ...),
                  "UNNAMED TABLE: the conflict target and the excluded columns must be columns of the table inserted into");
    return InsertQuery<T, Conflict::do_update_excluded, ExcludedUpdate<C, Excluded<E...>>,
                       Returning>(*exec_, std::move(rows_));
  }
  auto returning() && {
    return InsertQuery<T, K, Target, true>(*exec_, std::move(rows_), std::move(update_));
  }

 private:
  friend class SingleTableWrite<InsertQuery, T, Returning>;
  static constexpr bool bounded = true;  // an insert touches only the rows it adds

  // One statement per row: several rows run as one atomic batch.
  std::size_t statement_count() const { return rows_.size(); }
  const std::string& prepare(std::size_t i, std::vector<Value>& params, std::string& /*scratch*/) {
    return prepare(rows_[i], params);
  }

  // Moves the values of `row` into `params`; returns the SQL text of its shape (cached).
  const std::string& prepare(dsl::InsertRow<T>& row, std::vector<Value>& params) {
    params.reserve(dsl::column_count<T> + 4);
    std::uint64_t mask = 0;
    auto f = dsl::fields<T>(row);
    [&]<std::size_t... I>(std::index_sequence<I...>) { (add_value<I>(std::get<I>(f), mask, params), ...); }(
        std::make_index_sequence<dsl::column_count<T>>{});
    const std::uint64_t update_mask = K == Conflict::do_update ? patch_mask<T>(update_) : 0;
    if (K == Conflict::do_update && update_mask == 0) {
      throw Error(Errc::misuse, "on_conflict_do_update: the patch sets no column");
    }
    if constexpr (K == Conflict::do_update) bind_set<T>(update_, params);
    return sql_for_shape<InsertQuery>({mask, update_mask},
                                      [&](std::string& s) { render(s, mask, update_mask); });
  }

  // Required and application-defaulted columns are always present; a column with an SQL
  // default (or an INTEGER PRIMARY KEY) is left out when not set, so the database fills it.
  template <std::size_t I, class F>
  static void add_value(F& field, std::uint64_t& mask, std::vector<Value>& params) {
    using C = dsl::column_at<T, I>;
    if constexpr (C::required_on_insert) {
      params.push_back(encode<C::kind>(std::move(field.value)));
      mask |= std::uint64_t{1} << I;
    } else if (field.has_value()) {
      params.push_back(encode<C::kind>(std::move(*field)));
      mask |= std::uint64_t{1} << I;
    } else if constexpr (C::has_default_fn) {
      params.push_back(encode<C::kind>(C::make_default()));
      mask |= std::uint64_t{1} << I;
    } else if constexpr (!C::has_sql_default && !C::rowid_alias) {
      params.emplace_back(nullptr);
      mask |= std::uint64_t{1} << I;
    }
  }

  static void render(std::string& sql, std::uint64_t mask, std::uint64_t update_mask) {
    sql += "INSERT INTO ";
    append_identifier(sql, T::table_name);
    std::string values;
    bool first = true;
    sql += " (";
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((mask & (std::uint64_t{1} << I)
            ? (sql += first ? "" : ", ", values += first ? "?" : ", ?", first = false,
               append_identifier(sql, dsl::column_at<T, I>::name), 0)
            : 0),
       ...);
    }(std::make_index_sequence<dsl::column_count<T>>{});
    if (first) {
      sql.resize(sql.size() - 2);
      sql += " DEFAULT VALUES";
    } else {
      sql += ") VALUES (";
      sql += values;
      sql += ')';
    }
    if constexpr (K == Conflict::do_nothing) sql += " ON CONFLICT DO NOTHING";
    if constexpr (K == Conflict::do_update) {
      sql += " ON CONFLICT (";
      append_identifier(sql, Target::name);
      sql += ") DO UPDATE SET ";
      render_set<T>(sql, update_mask);
    }
    if constexpr (K == Conflict::do_update_excluded) render_excluded_update(sql, Target{});
    if constexpr (Returning) render_returning<T>(sql);
  }

  template <class C, class... E>
  static void render_excluded_update(std::string& sql, ExcludedUpdate<C, Excluded<E...>>) {
    sql += " ON CONFLICT (";
    append_identifier(sql, C::name);
    sql += ") DO UPDATE SET ";
    bool first = true;
    ((sql += first ? "" : ", ", first = false, append_identifier(sql, E::name), sql += " = excluded.",
      append_identifier(sql, E::name)),
     ...);
  }

  Executor* exec_;
  std::vector<dsl::InsertRow<T>> rows_;
  dsl::Patch<T> update_;
};

template <class T>
class InsertStart {
 public:
  explicit InsertStart(Executor& exec) : exec_(&exec) {}
  auto values(dsl::InsertRow<T> row) const {
    std::vector<dsl::InsertRow<T>> rows;
    rows.push_back(std::move(row));
    return InsertQuery<T, Conflict::none, void, false>(*exec_, std::move(rows));
  }
  // Several rows, inserted atomically (one batch).
  template <class Rows>
    requires std::same_as<Rows, std::vector<dsl::InsertRow<T>>>
  auto values(Rows rows) const {
    return InsertQuery<T, Conflict::none, void, false>(*exec_, std::move(rows));
  }

 private:
  Executor* exec_;
};

}  // namespace ds::db::query

// excluded(...) found by argument-dependent lookup on the columns, like the conditions.
namespace ds::db::dsl {
using query::excluded;
}  // namespace ds::db::dsl
