#pragma once
// UPDATE: db.update(projects).set({.name = "x", .updated_at = now}).where(projects.id == id).run()
#include "db/query/single_table_write.hpp"

namespace ds::db::query {

template <class T, class Where, bool Returning>
class UpdateQuery : public SingleTableWrite<UpdateQuery<T, Where, Returning>, T, Returning> {
  friend class SingleTableWrite<UpdateQuery, T, Returning>;

 public:
  UpdateQuery(Connection& conn, dsl::Patch<T> set, Where where = {})
      : conn_(&conn), set_(std::move(set)), where_(std::move(where)) {}

  template <Condition W>
  auto where(W w) && {
    static_assert(std::is_same_v<Where, NoCondition>,
                  "update: where() is given once; combine with and_()");
    check_tables<W>();
    return UpdateQuery<T, W, Returning>(*conn_, std::move(set_), std::move(w));
  }
  auto returning() && {
    return UpdateQuery<T, Where, true>(*conn_, std::move(set_), std::move(where_));
  }

 private:
  template <class W>
  static constexpr void check_tables() {
    static_assert(
        all_named<typename W::tables, std::tuple<T>>::value,
        "UNNAMED TABLE: an update's where() may only use columns of the table being updated");
  }

  // Binds the values into `params`; returns the SQL text: the cached text of the shape, or
  // `scratch` rendered when the condition's text depends on its values.
  const std::string& prepare(std::vector<Value>& params, std::string& scratch) const {
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

  Connection* conn_;
  dsl::Patch<T> set_;
  Where where_;
};

template <class T>
class UpdateStart {
 public:
  explicit UpdateStart(Connection& conn) : conn_(&conn) {}
  auto set(dsl::Patch<T> patch) const {
    return UpdateQuery<T, NoCondition, false>(*conn_, std::move(patch));
  }

 private:
  Connection* conn_;
};

}  // namespace ds::db::query
