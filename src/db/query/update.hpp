#pragma once
// UPDATE: db.update(projects).set({.name = "x", .updated_at = now}).where(projects.id == id).run()
#include "db/query/single_table_write.hpp"

namespace ds::db::query {

template <class T, class Where, bool Returning>
class UpdateQuery : public SingleTableWrite<UpdateQuery<T, Where, Returning>, T, Returning> {
  friend class SingleTableWrite<UpdateQuery, T, Returning>;

 public:
  UpdateQuery(Executor& exec, dsl::Patch<T> set, Where where = {})
      : exec_(&exec), set_(std::move(set)), where_(std::move(where)) {}

  template <Condition W>
  auto where(W w) && {
    static_assert(std::is_same_v<Where, NoCondition>,
                  "update: where() is given once (and not with all_rows()); combine with and_()");
    check_tables<W>();
    return UpdateQuery<T, W, Returning>(*exec_, std::move(set_), std::move(w));
  }
  // Every row of the table, on purpose (without this or where(), run() does not compile).
  auto all_rows() && {
    static_assert(std::is_same_v<Where, NoCondition>, "update: all_rows() replaces where()");
    return UpdateQuery<T, AllRows, Returning>(*exec_, std::move(set_));
  }
  auto returning() && {
    return UpdateQuery<T, Where, true>(*exec_, std::move(set_), std::move(where_));
  }

 private:
  static constexpr bool bounded = !std::is_same_v<Where, NoCondition>;
  static constexpr std::size_t statement_count() { return 1; }

  template <class W>
  static constexpr void check_tables() {
    static_assert(
        all_named<typename W::tables, std::tuple<T>>::value,
        "UNNAMED TABLE: an update's where() may only use columns of the table being updated");
  }

  // Binds the values into `params`; returns the SQL text: the cached text of the shape, or
  // `scratch` rendered when the condition's text depends on its values.
  const std::string& prepare(std::size_t /*statement*/, std::vector<Value>& params,
                             std::string& scratch) const {
    const std::uint64_t mask = patch_mask<T>(set_);
    if (mask == 0) throw Error(Errc::misuse, "update: set() names no column");
    params.reserve(dsl::column_count<T> + 2);
    bind_set<T>(set_, params);
    where_.bind(params);
    if constexpr (Where::dynamic) {
      render(scratch, mask);
      return scratch;
    } else {
      return sql_for_shape<UpdateQuery>({mask, 0}, [&](std::string& s) { render(s, mask); });
    }
  }

  void render(std::string& sql, std::uint64_t mask) const {
    sql += "UPDATE ";
    append_identifier(sql, T::table_name);
    sql += " SET ";
    render_set<T>(sql, mask);
    render_single_table_tail<T, Returning>(sql, where_);
  }

  Executor* exec_;
  dsl::Patch<T> set_;
  Where where_;
};

template <class T>
class UpdateStart {
 public:
  explicit UpdateStart(Executor& exec) : exec_(&exec) {}
  auto set(dsl::Patch<T> patch) const {
    return UpdateQuery<T, NoCondition, false>(*exec_, std::move(patch));
  }

 private:
  Executor* exec_;
};

}  // namespace ds::db::query
