#pragma once
// Walks a table declared with the DSL into the runtime model (db/schema/model.hpp), exactly as
// drizzle-kit would record the equivalent sqliteTable in its snapshot. Works for any table,
// core or plugin.
#include <fmt/format.h>

#include <string>
#include <utility>

#include "db/schema/table.hpp"

namespace ds::db::dsl {
namespace detail {
using schema::ColumnDefault;
using schema::ForeignKey;


template <class M> struct default_of { static void apply(std::optional<ColumnDefault>&) {} };
template <auto V> struct default_of<Default<V>> {
  static void apply(std::optional<ColumnDefault>& d) {
    if constexpr (std::is_same_v<decltype(V), bool>) {
      d = ColumnDefault{ColumnDefault::Kind::boolean, V ? "true" : "false"};
    } else {
      static_assert(std::is_arithmetic_v<decltype(V)>, "schema: Default<V> takes a number or a bool; "
                    "use DefaultText<\"...\"> for strings and DefaultSql<\"(...)\"> for expressions");
      d = ColumnDefault{ColumnDefault::Kind::number, fmt::format("{}", V)};
    }
  }
};
template <FixedString S> struct default_of<DefaultText<S>> {
  static void apply(std::optional<ColumnDefault>& d) {
    std::string text = "'";
    for (char c : S.view()) {
      if (c == '\'') text += '\'';
      text += c;
    }
    text += '\'';
    d = ColumnDefault{ColumnDefault::Kind::sql, std::move(text)};
  }
};
template <FixedString S> struct default_of<DefaultSql<S>> {
  static void apply(std::optional<ColumnDefault>& d) { d = ColumnDefault{ColumnDefault::Kind::sql, std::string(S.view())}; }
};

template <class M> struct action_of { static void apply(ForeignKey&) {} };
template <Action A> struct action_of<OnDelete<A>> { static void apply(ForeignKey& fk) { fk.on_delete = to_sql(A); } };
template <Action A> struct action_of<OnUpdate<A>> { static void apply(ForeignKey& fk) { fk.on_update = to_sql(A); } };

// drizzle's name for a foreign key: <tableFrom>_<colsFrom>_<tableTo>_<colsTo>_fk.
std::string foreign_key_name(const ForeignKey& fk);

// The column-level foreign key of `column` to table_to(column_to), with its actions.
template <class... Actions>
void add_column_reference(std::string_view column, std::string_view table_to,
                          std::string_view column_to, schema::Table& out) {
  ForeignKey fk;
  fk.table_from = out.name;
  fk.table_to = table_to;
  fk.columns_from = {std::string(column)};
  fk.columns_to = {std::string(column_to)};
  fk.name = foreign_key_name(fk);
  (action_of<Actions>::apply(fk), ...);
  out.foreign_keys.push_back(std::move(fk));
}

template <class T>
constexpr bool has_column_named(std::string_view name) {
  return []<std::size_t... I>(std::string_view n, std::index_sequence<I...>) {
    return ((column_at<T, I>::name == n) || ...);
  }(name, std::make_index_sequence<column_count<T>>{});
}

// Adds the foreign key of modifier M (if it is one) of column `column` of table Tbl.
template <class Tbl, class M>
struct reference_of {
  static void apply(std::string_view, schema::Table&) {}
};
template <class Tbl, auto Target, class... Actions>
struct reference_of<Tbl, References<Target, Actions...>> {
  static void apply(std::string_view column, schema::Table& out) {
    using T = std::remove_cvref_t<decltype(Target)>;
    static_assert(ColumnRef<T>, "schema: References<> takes a column of another table, e.g. References<auth_user.id>");
    add_column_reference<Actions...>(column, T::table::table_name, T::name, out);
  }
};
template <class Tbl, FixedString Target, class... Actions>
struct reference_of<Tbl, ReferencesSelf<Target, Actions...>> {
  static void apply(std::string_view column, schema::Table& out) {
    static_assert(has_column_named<Tbl>(Target.view()),
                  "UNKNOWN COLUMN: ReferencesSelf<\"name\"> must name a column of the same table");
    add_column_reference<Actions...>(column, Tbl::table_name, Target.view(), out);
  }
};

template <class Tbl, FixedString Name, class Type, class... Mods>
void add_column(ColumnDecl<Tbl, Name, Type, Mods...>, schema::Table& out) {
  using C = ColumnDecl<Tbl, Name, Type, Mods...>;
  schema::Column col;
  col.name = C::name;
  col.type = Type::sql;
  col.primary_key = C::primary_key;
  col.not_null = C::not_null;
  col.autoincrement = C::autoincrement;
  (default_of<Mods>::apply(col.default_value), ...);
  out.columns.push_back(std::move(col));
  if constexpr (C::unique) {
    out.indexes.push_back({fmt::format("{}_{}_unique", out.name, C::name), {std::string(C::name)}, true, std::nullopt});
  }
  (reference_of<Tbl, Mods>::apply(C::name, out), ...);
}

std::string join_names(const std::vector<std::string>& names);
void add_constraint(Constraint c, schema::Table& out);

}  // namespace detail

// The model of table T: columns in declaration order, then its constraints().
template <class T>
schema::Table describe() {
  schema::Table out;
  out.name = T::table_name;
  const typename T::declarations decl{};
  std::apply([&](const auto&... c) { (detail::add_column(c, out), ...); }, fields<T>(decl));
  for (auto& c : T::constraints()) detail::add_constraint(std::move(c), out);
  return out;
}

template <class... T>
schema::Schema describe_all() { return schema::Schema{{describe<T>()...}}; }

}  // namespace ds::db::dsl
