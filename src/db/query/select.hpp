#pragma once
// SELECT: db.select(projects).where(...).order_by(...).limit(n).all()
//         db.select(projects.id, auth_user.email).from(projects).left_join(auth_user, on).all()
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "db/connection.hpp"
#include "db/query/expr.hpp"
#include "db/query/shape_cache.hpp"
#include "db/schema/table.hpp"

namespace ds::db::query {

using dsl::TableRef;

template <class T, class Tuple> struct tuple_has;
template <class T, class... U> struct tuple_has<T, std::tuple<U...>> : std::bool_constant<(std::is_same_v<T, U> || ...)> {};

template <class Used, class Named> struct all_named;
template <class... U, class Named> struct all_named<std::tuple<U...>, Named> : std::bool_constant<(tuple_has<U, Named>::value && ...)> {};

// ---- what a select returns ---------------------------------------------------------------
template <class T> struct TableItem { using tables = std::tuple<T>; };
template <class C> struct ColumnItem { using tables = std::tuple<typename C::table>; using column = C; };

template <class X>
auto make_item() {
  if constexpr (TableRef<X>) return TableItem<X>{};
  else {
    static_assert(ColumnRef<X>, "select() takes tables and columns");
    return ColumnItem<X>{};
  }
}

template <class Item, class Nullable> struct item_result;
template <class T, class Nullable> struct item_result<TableItem<T>, Nullable> {
  using type = std::conditional_t<tuple_has<T, Nullable>::value, std::optional<dsl::Row<T>>, dsl::Row<T>>;
};
template <class C, class Nullable> struct item_result<ColumnItem<C>, Nullable> {
  using type = std::conditional_t<tuple_has<typename C::table, Nullable>::value,
                                  std::optional<typename C::value_type>, typename C::field_type>;
};

template <class T>
void render_table_columns(std::string& sql) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((sql += (I == 0 ? "" : ", "), render_column<dsl::column_at<T, I>>(sql)), ...);
  }(std::make_index_sequence<dsl::column_count<T>>{});
}

// Reads a row of T from the cells row[at ...], straight into its fields.
template <class T, class Row>
void decode_row(const RowView& row, std::size_t& at, Row& out) {
  auto f = dsl::fields<T>(out);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((decode<dsl::column_at<T, I>::kind>(row[at + I], dsl::column_at<T, I>::name, std::get<I>(f))), ...);
  }(std::make_index_sequence<dsl::column_count<T>>{});
  at += dsl::column_count<T>;
}

// Reads a borrowed row of T (text viewing the cells) from all of `row`'s cells.
template <class T>
void decode_borrowed_row(const RowView& row, std::span<std::string, dsl::column_count<T>> scratch,
                         dsl::Borrowed<T>& out) {
  auto f = dsl::fields<T>(out);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((decode_borrowed<dsl::column_at<T, I>::kind>(row[I], dsl::column_at<T, I>::name, scratch[I], std::get<I>(f))), ...);
  }(std::make_index_sequence<dsl::column_count<T>>{});
}

template <class Item, class Out>
void decode_item(const RowView& row, std::size_t& at, Out& out) {
  if constexpr (std::is_same_v<Item, TableItem<std::tuple_element_t<0, typename Item::tables>>>) {
    using T = std::tuple_element_t<0, typename Item::tables>;
    if constexpr (std::is_same_v<Out, dsl::Row<T>>) {
      decode_row<T>(row, at, out);
    } else {  // left-joined: no match when every column is NULL
      bool all_null = true;
      for (std::size_t i = 0; i < dsl::column_count<T> && all_null; ++i) {
        all_null = std::holds_alternative<std::nullptr_t>(row[at + i]);
      }
      if (all_null) {
        out.reset();
        at += dsl::column_count<T>;
      } else {
        decode_row<T>(row, at, out.emplace());
      }
    }
  } else {
    using C = typename Item::column;
    decode<C::kind>(row[at], C::name, out);
    ++at;
  }
}

// A row count to reserve for a query with LIMIT n: n, up to a bound (a large limit over a
// small table must not allocate for rows that never come).
inline std::size_t rows_to_reserve(std::int64_t limit) noexcept {
  constexpr std::int64_t kMaxReserve = 512;
  return static_cast<std::size_t>(limit < 0 ? 0 : limit > kMaxReserve ? kMaxReserve : limit);
}

template <class Nullable, class... Items> struct rows_result {
  using type = std::tuple<typename item_result<Items, Nullable>::type...>;
};
template <class Nullable, class Item> struct rows_result<Nullable, Item> {
  using type = typename item_result<Item, Nullable>::type;
};

struct NoCondition {
  using tables = std::tuple<>;
  static constexpr bool dynamic = false;
  void render(std::string&, Names) const {}
  void bind(std::vector<Value>&) const {}
};

// The "where" of an UPDATE or DELETE that touches every row on purpose (all_rows()).
struct AllRows : NoCondition {};

// True when `Where` renders a WHERE clause.
template <class Where>
inline constexpr bool has_condition = !std::is_base_of_v<NoCondition, Where>;

template <class T, bool Left, class On>
struct Join {
  using table = T;
  static constexpr bool left = Left;
  On on;
};

template <class Items, class From, class Joins, class Where, class Order, bool HasLimit, bool HasOffset>
class SelectQuery;

template <class... Items, class From, class... Joins, class Where, class... Order, bool HasLimit, bool HasOffset>
class SelectQuery<std::tuple<Items...>, From, std::tuple<Joins...>, Where, std::tuple<Order...>, HasLimit, HasOffset> {
  using Self = SelectQuery;
  template <class I, class F, class J, class W, class O, bool L, bool Off> friend class SelectQuery;

 public:
  using named_tables = std::tuple<From, typename Joins::table...>;
  using nullable_tables = tables_cat<std::conditional_t<Joins::left, std::tuple<typename Joins::table>, std::tuple<>>...>;
  using row_type = typename rows_result<nullable_tables, Items...>::type;

  SelectQuery(Executor& exec, std::tuple<Joins...> joins = {}, Where where = {},
              std::int64_t limit = 0, std::int64_t offset = 0)
      : exec_(&exec),
        joins_(std::move(joins)),
        where_(std::move(where)),
        limit_(limit),
        offset_(offset) {}

  template <TableRef T>
  auto from(const T&) const {
    static_assert(std::is_void_v<From>, "select: from() is given once");
    return SelectQuery<std::tuple<Items...>, T, std::tuple<Joins...>, Where, std::tuple<Order...>,
                       HasLimit, HasOffset>(*exec_, joins_, where_, limit_, offset_);
  }
  template <TableRef T, Condition On> auto inner_join(const T&, On on) const { return join<T, false>(std::move(on)); }
  template <TableRef T, Condition On> auto left_join(const T&, On on) const { return join<T, true>(std::move(on)); }

  template <Condition W>
  auto where(W w) const {
    static_assert(std::is_same_v<Where, NoCondition>, "select: where() is given once; combine with and_()");
    return SelectQuery<std::tuple<Items...>, From, std::tuple<Joins...>, W, std::tuple<Order...>,
                       HasLimit, HasOffset>(*exec_, joins_, std::move(w), limit_, offset_);
  }
  template <class... O>
  auto order_by(const O&... o) const {
    return SelectQuery<std::tuple<Items...>, From, std::tuple<Joins...>, Where,
                       std::tuple<decltype(order_term(o))...>, HasLimit, HasOffset>(
        *exec_, joins_, where_, limit_, offset_);
  }
  auto limit(std::int64_t n) const {
    return SelectQuery<std::tuple<Items...>, From, std::tuple<Joins...>, Where,
                       std::tuple<Order...>, true, HasOffset>(*exec_, joins_, where_, n, offset_);
  }
  auto offset(std::int64_t n) const {
    return SelectQuery<std::tuple<Items...>, From, std::tuple<Joins...>, Where,
                       std::tuple<Order...>, HasLimit, true>(*exec_, joins_, where_, limit_, n);
  }

  std::vector<row_type> all() const {
    check_rules();
    std::vector<Value> params;
    std::string scratch;
    std::vector<row_type> rows;
    if constexpr (HasLimit) rows.reserve(rows_to_reserve(limit_));
    auto sink = row_sink([&](const RowView& r) { decode_into(r, rows.emplace_back()); });
    exec_->stream(sql(scratch), bind(params), sink);
    return rows;
  }

  // Hands each row to `fn(const dsl::Borrowed<T>&)` as the driver reads it, copying nothing:
  // its text and blob fields view the driver's row and are valid during the call only (copy
  // what must outlive it). For whole rows of one table (select(table), no joins): the read
  // path of hot routes that turn rows straight into a response. Returns the rows read.
  template <class F>
  std::size_t for_each(F&& fn) const {
    check_rules();
    static_assert(sizeof...(Items) == 1 && (is_table_item<Items> && ...) && sizeof...(Joins) == 0,
                  "select: for_each() reads whole rows of one table: select(table) without joins; "
                  "use all() otherwise");
    using T = std::tuple_element_t<0, typename std::tuple_element_t<0, std::tuple<Items...>>::tables>;
    std::vector<Value> params;
    std::string text;
    std::array<std::string, dsl::column_count<T>> cells;
    dsl::Borrowed<T> row;
    std::size_t count = 0;
    auto sink = row_sink([&](const RowView& r) {
      decode_borrowed_row<T>(r, cells, row);
      fn(std::as_const(row));
      ++count;
    });
    exec_->stream(sql(text), bind(params), sink);
    return count;
  }

  // The first row, or nullopt. The rows after it are not read; on Turso the server still
  // computes and sends some of them (all of them through the pipeline), so add limit(1) when
  // more rows could match.
  std::optional<row_type> first() const {
    check_rules();
    std::vector<Value> params;
    std::string scratch;
    std::optional<row_type> row;
    auto sink = row_sink([&](const RowView& r) {
      decode_into(r, row.emplace());
      return false;
    });
    exec_->stream(sql(scratch), bind(params), sink);
    return row;
  }

  // The query as a statement, not run: for Connection::batch() / execute_each(). Its rows
  // decode with decode_rows<T>() when the query selects one table.
  Statement statement() const {
    check_rules();
    Statement s;
    const std::string& text = sql(s.sql);
    if (&text != &s.sql) s.sql = text;
    bind(s.params);
    return s;
  }

  // The SQL text of this query's shape (for tests and logs).
  std::string to_sql() const {
    std::string s;
    render(s);
    return s;
  }

 private:
  template <class T, bool Left, class On>
  auto join(On on) const {
    using J = Join<T, Left, On>;
    return SelectQuery<std::tuple<Items...>, From, std::tuple<Joins..., J>, Where,
                       std::tuple<Order...>, HasLimit, HasOffset>(
        *exec_, std::tuple_cat(joins_, std::tuple<J>{J{std::move(on)}}), where_, limit_, offset_);
  }

  static constexpr void check_rules() {
    static_assert(!std::is_void_v<From>, "select: name the table with from()");
    using used = tables_cat<typename Items::tables..., typename Where::tables, typename Order::tables...,
                            typename decltype(Joins::on)::tables...>;
    static_assert(all_named<used, named_tables>::value,
                  "UNNAMED TABLE: the query selects, filters or orders by a column of a table it did not "
                  "name in select(table)/from()/inner_join()/left_join()");
  }

  static constexpr bool dynamic = Where::dynamic || (decltype(Joins::on)::dynamic || ...);

  // The SQL text: built once for the shape, or rendered into `scratch` when it depends on
  // the values.
  const std::string& sql(std::string& scratch) const {
    if constexpr (!dynamic) {
      return sql_for_type<SelectQuery>([&](std::string& s) { render(s); });
    } else {
      render(scratch);
      return scratch;
    }
  }

  void render(std::string& sql) const {
    sql += "SELECT ";
    bool first = true;
    ((sql += first ? "" : ", ", first = false, render_item_sql<Items>(sql)), ...);
    sql += " FROM ";
    append_identifier(sql, From::table_name);
    std::apply(
        [&](const auto&... j) {
          ((sql += std::remove_cvref_t<decltype(j)>::left ? " LEFT JOIN " : " INNER JOIN ",
            append_identifier(sql, std::remove_cvref_t<decltype(j)>::table::table_name),
            sql += " ON ", j.on.render(sql, Names::qualified)),
           ...);
        },
        joins_);
    if constexpr (has_condition<Where>) {
      sql += " WHERE ";
      where_.render(sql, Names::qualified);
    }
    if constexpr (sizeof...(Order) > 0) {
      sql += " ORDER BY ";
      bool first_order = true;
      ((sql += first_order ? "" : ", ", first_order = false, Order{}.render(sql, Names::qualified)),
       ...);
    }
    if constexpr (HasLimit) sql += " LIMIT ?";
    else if constexpr (HasOffset) sql += " LIMIT -1";
    if constexpr (HasOffset) sql += " OFFSET ?";
  }

  template <class Item>
  static void render_item_sql(std::string& sql) {
    if constexpr (is_table_item<Item>) render_table_columns<std::tuple_element_t<0, typename Item::tables>>(sql);
    else render_column<typename Item::column>(sql);
  }
  template <class Item>
  static constexpr bool is_table_item = std::is_same_v<Item, TableItem<std::tuple_element_t<0, typename Item::tables>>>;

  std::span<const Value> bind(std::vector<Value>& params) const {
    std::apply([&](const auto&... j) { (j.on.bind(params), ...); }, joins_);
    where_.bind(params);
    if constexpr (HasLimit) params.emplace_back(limit_);
    if constexpr (HasOffset) params.emplace_back(offset_);
    return params;
  }

  void decode_into(const RowView& r, row_type& row) const {
    std::size_t at = 0;
    if constexpr (sizeof...(Items) == 1) {
      decode_item<Items...>(r, at, row);
    } else {
      std::apply([&](auto&... out) { (decode_item<Items>(r, at, out), ...); }, row);
    }
  }

  Executor* exec_;
  std::tuple<Joins...> joins_;
  Where where_;
  std::int64_t limit_;
  std::int64_t offset_;
};

}  // namespace ds::db::query
