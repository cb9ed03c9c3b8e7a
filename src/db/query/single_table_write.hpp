#pragma once
// What UPDATE and DELETE share: run(), all()/first() after returning(), and statement(), all
// on top of the query's prepare(params, scratch), which binds the values into `params` and
// returns the SQL text (the cached text of the shape, or `scratch` when the text depends on
// the values), and its executor exec_. A query makes this base a friend.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/query/insert.hpp"

namespace ds::db::query {

template <class Query, class T, bool Returning>
class SingleTableWrite {
 public:
  // Returns the number of rows written.
  std::int64_t run() && requires(!Returning) {
    check_bounded();
    return execute(ignore_rows());
  }
  std::vector<dsl::Row<T>> all() && requires Returning {
    check_bounded();
    std::vector<dsl::Row<T>> rows;
    auto sink = append_rows_sink<T>(rows);
    execute(sink);
    return rows;
  }
  std::optional<dsl::Row<T>> first() && requires Returning {
    auto rows = std::move(*this).all();
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
  // The query as a statement, not run (for Connection::batch()).
  Statement statement() && {
    check_bounded();
    Statement s;
    const std::string& sql = query().prepare(s.params, s.sql);
    if (&sql != &s.sql) s.sql = sql;
    return s;
  }

 private:
  const Query& query() const { return static_cast<const Query&>(*this); }

  // Named rule: a write without where() would touch every row; saying so takes all_rows().
  static constexpr void check_bounded() {
    static_assert(!std::is_same_v<typename Query::where_type, NoCondition>,
                  "UNBOUNDED WRITE: an update or delete without where() touches every row; "
                  "add where(...), or call all_rows() to say that every row is meant");
  }

  std::int64_t execute(RowSink& sink) const {
    std::vector<Value> params;
    std::string scratch;
    const std::string& sql = query().prepare(params, scratch);
    return query().exec_->stream(sql, params, sink);
  }
};

}  // namespace ds::db::query
