#pragma once
// DELETE: db.delete_from(projects).where(projects.id == id).run()
#include "db/query/single_table_write.hpp"

namespace ds::db::query {

template <class T, class Where, bool Returning>
class DeleteQuery : public SingleTableWrite<DeleteQuery<T, Where, Returning>, T, Returning> {
  friend class SingleTableWrite<DeleteQuery, T, Returning>;

 public:
  explicit DeleteQuery(Executor& exec, Where where = {}) : exec_(&exec), where_(std::move(where)) {}

  template <Condition W>
  auto where(W w) && {
    static_assert(std::is_same_v<Where, NoCondition>,
                  "delete: where() is given once (and not with all_rows()); combine with and_()");
    static_assert(
        all_named<typename W::tables, std::tuple<T>>::value,
        "UNNAMED TABLE: a delete's where() may only use columns of the table deleted from");
    return DeleteQuery<T, W, Returning>(*exec_, std::move(w));
  }
  // Every row of the table, on purpose (without this or where(), run() does not compile).
  auto all_rows() && {
    static_assert(std::is_same_v<Where, NoCondition>, "delete: all_rows() replaces where()");
    return DeleteQuery<T, AllRows, Returning>(*exec_);
  }
  auto returning() && { return DeleteQuery<T, Where, true>(*exec_, std::move(where_)); }

 private:
  static constexpr bool bounded = !std::is_same_v<Where, NoCondition>;
  static constexpr std::size_t statement_count() { return 1; }

  // Binds the values into `params`; returns the SQL text: built once for the shape, or
  // `scratch` rendered when the condition's text depends on its values.
  const std::string& prepare(std::size_t /*statement*/, std::vector<Value>& params,
                             std::string& scratch) const {
    where_.bind(params);
    if constexpr (Where::dynamic) {
      render(scratch);
      return scratch;
    } else {
      return sql_for_type<DeleteQuery>([&](std::string& s) { render(s); });
    }
  }

  void render(std::string& sql) const {
    sql += "DELETE FROM ";
    append_identifier(sql, T::table_name);
    render_single_table_tail<T, Returning>(sql, where_);
  }

  Executor* exec_;
  Where where_;
};

}  // namespace ds::db::query
