#pragma once
// Conditions for where / join on: `projects.user_id == id`, and_(a, b), in_(col, values) ...
// A condition is a small object whose TYPE decides the SQL text and whose members hold the
// values to bind, so a query shape's SQL is built once and every value is a bound parameter.
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "db/query/codec.hpp"
#include "db/query/sql_text.hpp"
#include "db/schema/column.hpp"

namespace ds::db::query {

using dsl::ColumnRef;

// Every condition node has: tables (std::tuple of the tables it names), dynamic (its SQL
// depends on run-time data: in_ lists), render(sql, names), bind(params).
template <class T>
concept Condition = requires(const T& t, std::string& s, std::vector<Value>& p) {
  typename T::tables;
  { T::dynamic } -> std::convertible_to<bool>;
  t.render(s, Names::qualified);
  t.bind(p);
};

template <class... Ts>
using tables_cat = decltype(std::tuple_cat(std::declval<Ts>()...));

template <class C>
void render_column(std::string& sql, Names names = Names::qualified) {
  if (names == Names::qualified) {
    append_identifier(sql, C::table::table_name);
    sql += '.';
  }
  append_identifier(sql, C::name);
}

enum class Op { eq, ne, lt, gt, le, ge };
inline constexpr std::string_view op_sql(Op op) {
  constexpr std::string_view ops[] = {" = ", " <> ", " < ", " > ", " <= ", " >= "};
  return ops[static_cast<int>(op)];
}

// column <op> ?
template <class C, Op O>
struct CompareValue {
  using tables = std::tuple<typename C::table>;
  static constexpr bool dynamic = false;
  Value value;
  void render(std::string& sql, Names names) const {
    render_column<C>(sql, names);
    sql += op_sql(O);
    sql += '?';
  }
  void bind(std::vector<Value>& p) const { p.push_back(value); }
};

// column <op> column
template <class L, class R, Op O>
struct CompareColumns {
  using tables = std::tuple<typename L::table, typename R::table>;
  static constexpr bool dynamic = false;
  void render(std::string& sql, Names names) const {
    render_column<L>(sql, names);
    sql += op_sql(O);
    render_column<R>(sql, names);
  }
  void bind(std::vector<Value>&) const {}
};

template <bool Or, Condition... E>
struct Junction {
  using tables = tables_cat<typename E::tables...>;
  static constexpr bool dynamic = (E::dynamic || ...);
  std::tuple<E...> parts;
  void render(std::string& sql, Names names) const {
    sql += '(';
    bool first = true;
    std::apply(
        [&](const auto&... e) {
          ((sql += first ? "" : (Or ? " OR " : " AND "), first = false, e.render(sql, names)), ...);
        },
        parts);
    sql += ')';
  }
  void bind(std::vector<Value>& p) const { std::apply([&](const auto&... e) { (e.bind(p), ...); }, parts); }
};

template <Condition E>
struct Negation {
  using tables = typename E::tables;
  static constexpr bool dynamic = E::dynamic;
  E inner;
  void render(std::string& sql, Names names) const {
    sql += "NOT (";
    inner.render(sql, names);
    sql += ')';
  }
  void bind(std::vector<Value>& p) const { inner.bind(p); }
};

template <class C, bool Negate>
struct NullTest {
  using tables = std::tuple<typename C::table>;
  static constexpr bool dynamic = false;
  void render(std::string& sql, Names names) const {
    render_column<C>(sql, names);
    sql += Negate ? " IS NOT NULL" : " IS NULL";
  }
  void bind(std::vector<Value>&) const {}
};

template <class C>
struct InList {
  using tables = std::tuple<typename C::table>;
  static constexpr bool dynamic = true;  // one ? per value
  std::vector<Value> values;
  void render(std::string& sql, Names names) const {
    if (values.empty()) {
      sql += "0 = 1";  // x IN () is false; written portably
      return;
    }
    render_column<C>(sql, names);
    sql += " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) sql += i == 0 ? "?" : ", ?";
    sql += ')';
  }
  void bind(std::vector<Value>& p) const { p.insert(p.end(), values.begin(), values.end()); }
};

template <class C, bool Escaped>
struct Like {
  using tables = std::tuple<typename C::table>;
  static constexpr bool dynamic = false;
  Value pattern;
  void render(std::string& sql, Names names) const {
    render_column<C>(sql, names);
    sql += Escaped ? " LIKE ? ESCAPE '\\'" : " LIKE ?";
  }
  void bind(std::vector<Value>& p) const { p.push_back(pattern); }
};

// The rule behind `text_column == 5` failing to compile.
template <class C, class V>
constexpr void check_comparable() {
  static_assert(accepts<C::kind, V>,
                "TYPE MISMATCH: a column can only be compared with a value of its own type "
                "(text columns with strings, integer columns with integers, boolean with bool, "
                "timestamps with std::chrono time points)");
}

template <Op O, ColumnRef C, class V>
auto compare(const C&, V&& v) {
  using Col = std::remove_cvref_t<C>;
  if constexpr (ColumnRef<V>) {
    using R = std::remove_cvref_t<V>;
    static_assert(std::is_same_v<typename Col::value_type, typename R::value_type>,
                  "TYPE MISMATCH: two columns compared with each other must have the same type");
    return CompareColumns<Col, R, O>{};
  } else {
    check_comparable<Col, V>();
    return CompareValue<Col, O>{encode<Col::kind>(std::forward<V>(v))};
  }
}

template <ColumnRef C, class V> auto eq(const C& c, V&& v) { return compare<Op::eq>(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto ne(const C& c, V&& v) { return compare<Op::ne>(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto lt(const C& c, V&& v) { return compare<Op::lt>(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto gt(const C& c, V&& v) { return compare<Op::gt>(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto le(const C& c, V&& v) { return compare<Op::le>(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto ge(const C& c, V&& v) { return compare<Op::ge>(c, std::forward<V>(v)); }

template <Condition... E> auto and_(E... e) { return Junction<false, E...>{{std::move(e)...}}; }
template <Condition... E> auto or_(E... e) { return Junction<true, E...>{{std::move(e)...}}; }
template <Condition E> auto not_(E e) { return Negation<E>{std::move(e)}; }

template <ColumnRef C> auto is_null(const C&) { return NullTest<std::remove_cvref_t<C>, false>{}; }
template <ColumnRef C> auto is_not_null(const C&) { return NullTest<std::remove_cvref_t<C>, true>{}; }

template <ColumnRef C, class Range>
auto in_(const C&, const Range& values) {
  using Col = std::remove_cvref_t<C>;
  InList<Col> node;
  node.values.reserve(std::size(values));
  for (const auto& v : values) {
    check_comparable<Col, decltype(v)>();
    node.values.push_back(encode<Col::kind>(v));
  }
  return node;
}
template <ColumnRef C, class V>
auto in_(const C& c, std::initializer_list<V> values) { return in_(c, std::vector<V>(values)); }

// LIKE with the pattern as given: % and _ are wildcards.
template <ColumnRef C, StringLike V>
auto like(const C&, const V& pattern) {
  using Col = std::remove_cvref_t<C>;
  return Like<Col, false>{encode<Kind::text>(pattern)};
}
// LIKE '%text%' with text matched literally (its %, _ and \ escaped).
template <ColumnRef C>
auto contains(const C&, std::string_view text) {
  using Col = std::remove_cvref_t<C>;
  std::string pattern = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  pattern += '%';
  return Like<Col, true>{Value(std::move(pattern))};
}

template <Condition A, Condition B> auto operator&&(A a, B b) { return and_(std::move(a), std::move(b)); }
template <Condition A, Condition B> auto operator||(A a, B b) { return or_(std::move(a), std::move(b)); }
template <Condition A> auto operator!(A a) { return not_(std::move(a)); }

// ORDER BY terms: a column (ascending) or asc(col) / desc(col).
template <class C, bool Desc>
struct OrderTerm {
  using tables = std::tuple<typename C::table>;
  void render(std::string& sql, Names names) const {
    render_column<C>(sql, names);
    if (Desc) sql += " DESC";
  }
};
template <ColumnRef C> auto asc(const C&) { return OrderTerm<std::remove_cvref_t<C>, false>{}; }
template <ColumnRef C> auto desc(const C&) { return OrderTerm<std::remove_cvref_t<C>, true>{}; }
template <class T> auto order_term(const T& t) {
  if constexpr (ColumnRef<T>) return asc(t);
  else return t;
}

}  // namespace ds::db::query

// Comparison operators and condition functions on columns, found by argument-dependent lookup
// on dsl::ColumnDecl: `projects.id == id`, is_null(projects.user_id), desc(projects.id).
namespace ds::db::dsl {
using query::asc;
using query::contains;
using query::desc;
using query::eq;
using query::ge;
using query::gt;
using query::in_;
using query::is_not_null;
using query::is_null;
using query::le;
using query::like;
using query::lt;
using query::ne;
template <ColumnRef C, class V> auto operator==(const C& c, V&& v) { return query::eq(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto operator!=(const C& c, V&& v) { return query::ne(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto operator<(const C& c, V&& v) { return query::lt(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto operator>(const C& c, V&& v) { return query::gt(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto operator<=(const C& c, V&& v) { return query::le(c, std::forward<V>(v)); }
template <ColumnRef C, class V> auto operator>=(const C& c, V&& v) { return query::ge(c, std::forward<V>(v)); }
}  // namespace ds::db::dsl
