#pragma once
// What INSERT, UPDATE and DELETE share: the SET / RETURNING / WHERE renderers, the row sinks,
// and the SingleTableWrite base giving run(), all()/first() after returning(), and
// statement(). A query derives from the base, makes it a friend, and provides:
//   static constexpr bool bounded     false when it would touch every row by omission
//   std::size_t statement_count()     how many statements it runs (several: one atomic batch)
//   prepare(i, params, scratch)       binds statement i's values into `params` and returns its
//                                     SQL text: the cached text of its shape, or `scratch`
//                                     when the text depends on the values
//   exec_                             the executor it runs on
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/query/select.hpp"
#include "db/query/shape_cache.hpp"

namespace ds::db::query {

// Writes "col" = ?, ... for the present fields of a patch; returns the mask of present columns.
template <class T>
std::uint64_t patch_mask(const dsl::Patch<T>& patch) {
  std::uint64_t mask = 0;
  auto f = dsl::fields<T>(patch);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((mask |= std::get<I>(f).present ? (std::uint64_t{1} << I) : 0), ...);
  }
  (std::make_index_sequence<dsl::column_count<T>>{});
  return mask;
}
template <class T>
void render_set(std::string& sql, std::uint64_t mask) {
  bool first = true;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((mask & (std::uint64_t{1} << I)
          ? (sql += first ? "" : ", ", first = false,
             append_identifier(sql, dsl::column_at<T, I>::name), sql += " = ?", 0)
          : 0),
     ...);
  }
  (std::make_index_sequence<dsl::column_count<T>>{});
}
template <class T>
void bind_set(const dsl::Patch<T>& patch, std::vector<Value>& params) {
  auto f = dsl::fields<T>(patch);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((std::get<I>(f).present
          ? (params.push_back(encode<dsl::column_at<T, I>::kind>(std::get<I>(f).value)), 0)
          : 0),
     ...);
  }
  (std::make_index_sequence<dsl::column_count<T>>{});
}
template <class T>
void render_returning(std::string& sql) {
  sql += " RETURNING ";
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((sql += (I == 0 ? "" : ", "), append_identifier(sql, dsl::column_at<T, I>::name)), ...);
  }
  (std::make_index_sequence<dsl::column_count<T>>{});
}

// The end of a single-table UPDATE or DELETE: ` WHERE ...` and ` RETURNING ...`, with bare
// column names (Names::bare: only the written table is in scope).
template <class T, bool Returning, class Where>
void render_single_table_tail(std::string& sql, const Where& where) {
  if constexpr (has_condition<Where>) {
    sql += " WHERE ";
    where.render(sql, Names::bare);
  }
  if constexpr (Returning) render_returning<T>(sql);
}

// A sink decoding every row into a Row<T> appended to `rows`.
template <class T>
auto append_rows_sink(std::vector<dsl::Row<T>>& rows) {
  return row_sink([&rows](const RowView& r) {
    std::size_t at = 0;
    decode_row<T>(r, at, rows.emplace_back());
  });
}

// The rows of an already collected result (a batch() step), as Row<T>.
template <class T>
std::vector<dsl::Row<T>> decode_rows(const Result& result) {
  std::vector<dsl::Row<T>> rows;
  rows.reserve(result.row_count());
  auto sink = append_rows_sink<T>(rows);
  stream_rows(result, sink);
  return rows;
}

// The sink of a statement whose rows are not wanted (run()).
inline RowSink& ignore_rows() noexcept {
  struct Ignore final : RowSink {
    bool row(const RowView&) override { return true; }
  };
  static Ignore sink;
  return sink;
}

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
  // The first row written; nullopt when none was (no match, or a conflict skipped it).
  std::optional<dsl::Row<T>> first() && requires Returning {
    auto rows = std::move(*this).all();
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
  // The query as one statement, not run (for Connection::batch()). Throws Error(misuse) when
  // it is several statements (an insert of several rows: build one statement per row).
  Statement statement() && {
    check_bounded();
    if (query().statement_count() != 1) {
      throw Error(Errc::misuse, "statement(): the query is several statements; build one per row");
    }
    Statement s;
    prepare_into(0, s);
    return s;
  }

 private:
  Query& query() { return static_cast<Query&>(*this); }

  // Named rule: a write without where() would touch every row; saying so takes all_rows().
  static constexpr void check_bounded() {
    static_assert(Query::bounded,
                  "UNBOUNDED WRITE: an update or delete without where() touches every row; "
                  "add where(...), or call all_rows() to say that every row is meant");
  }

  void prepare_into(std::size_t i, Statement& s) {
    const std::string& sql = query().prepare(i, s.params, s.sql);
    if (&sql != &s.sql) s.sql = sql;
  }

  // One statement streams its rows; several run as one atomic batch (one round trip on
  // remote drivers; a savepoint inside a transaction).
  std::int64_t execute(RowSink& sink) {
    const std::size_t count = query().statement_count();
    if (count == 1) {
      std::vector<Value> params;
      std::string scratch;
      const std::string& sql = query().prepare(0, params, scratch);
      return query().exec_->stream(sql, params, sink);
    }
    std::vector<Statement> statements(count);
    for (std::size_t i = 0; i < count; ++i) prepare_into(i, statements[i]);
    std::int64_t n = 0;
    for (const Result& r : query().exec_->batch(statements)) {
      stream_rows(r, sink);
      n += r.rows_affected;
    }
    return n;
  }
};

}  // namespace ds::db::query
