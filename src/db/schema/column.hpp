#pragma once
// Column declarations: `Column<"name", Type, Modifiers...>` inside a table's column list.
// A column is an empty object whose type carries everything: its table, SQL name, C++ value
// type and constraints. Queries read those at compile time; walk.hpp reads them at run time.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/time.hpp"
#include "db/schema/fixed_string.hpp"
#include "db/value.hpp"

namespace ds::db::dsl {

// ---- column types: the SQL type drizzle writes, and the C++ type of a value --------------
enum class Kind { text, integer, boolean, timestamp, timestamp_ms, real, blob, numeric, json };

struct Text        { using cpp = std::string;                static constexpr Kind kind = Kind::text;         static constexpr std::string_view sql = "text"; };
struct Integer     { using cpp = std::int64_t;               static constexpr Kind kind = Kind::integer;      static constexpr std::string_view sql = "integer"; };
struct Boolean     { using cpp = bool;                       static constexpr Kind kind = Kind::boolean;      static constexpr std::string_view sql = "integer"; };
struct Timestamp   { using cpp = std::chrono::sys_seconds;   static constexpr Kind kind = Kind::timestamp;    static constexpr std::string_view sql = "integer"; };
struct TimestampMs { using cpp = ds::TimePoint;              static constexpr Kind kind = Kind::timestamp_ms; static constexpr std::string_view sql = "integer"; };
struct Real        { using cpp = double;                     static constexpr Kind kind = Kind::real;         static constexpr std::string_view sql = "real"; };
struct Blob        { using cpp = db::Blob;                   static constexpr Kind kind = Kind::blob;         static constexpr std::string_view sql = "blob"; };
struct Numeric     { using cpp = std::string;                static constexpr Kind kind = Kind::numeric;      static constexpr std::string_view sql = "numeric"; };
struct Json        { using cpp = std::string;                static constexpr Kind kind = Kind::json;         static constexpr std::string_view sql = "text"; };  // JSON text, parsed by the caller

// ---- modifiers --------------------------------------------------------------------------
struct PrimaryKey {};
struct AutoIncrement {};  // with PrimaryKey on an Integer column
struct NotNull {};
struct Unique {};  // a unique index named <table>_<column>_unique, as drizzle's .unique()

template <auto V> struct Default {};               // numeric or boolean literal: Default<0>, Default<false>
template <FixedString S> struct DefaultText {};    // string literal: DefaultText<"string"> -> DEFAULT 'string'
template <FixedString S> struct DefaultSql {};     // SQL expression as written: DefaultSql<"(unixepoch())">
template <auto F> struct DefaultFn {};             // application-side (drizzle $defaultFn): DefaultFn<now_ms>

enum class Action { no_action, restrict, cascade, set_null, set_default };
template <Action A> struct OnDelete {};
template <Action A> struct OnUpdate {};
// Foreign key to another table's column: References<auth_user.id, OnDelete<Action::cascade>>.
template <auto Target, class... Actions> struct References {};
// Foreign key to a column of the same table, named because the table is not complete yet
// where its columns are declared: ReferencesSelf<"id", OnDelete<Action::cascade>> (drizzle:
// .references((): AnySQLiteColumn => tasks.id)). The name is checked when the table is walked.
template <FixedString Column, class... Actions>
struct ReferencesSelf {};

inline constexpr std::string_view to_sql(Action a) noexcept {
  switch (a) {
    case Action::restrict: return "restrict";
    case Action::cascade: return "cascade";
    case Action::set_null: return "set null";
    case Action::set_default: return "set default";
    default: return "no action";
  }
}

namespace detail {

template <class M, class... Ms> inline constexpr bool has = (std::is_same_v<M, Ms> || ...);

template <class M> struct default_info { static constexpr bool is = false; };
template <auto V> struct default_info<Default<V>> { static constexpr bool is = true; };
template <FixedString S> struct default_info<DefaultText<S>> { static constexpr bool is = true; };
template <FixedString S> struct default_info<DefaultSql<S>> { static constexpr bool is = true; };

template <class M> struct default_fn_info { static constexpr bool is = false; };
template <auto F> struct default_fn_info<DefaultFn<F>> { static constexpr bool is = true; static constexpr auto fn = F; };

template <class M> struct reference_info { static constexpr bool is = false; };
template <auto T, class... A> struct reference_info<References<T, A...>> { static constexpr bool is = true; };

template <class... Ms> struct first_default_fn;
template <> struct first_default_fn<> { static constexpr bool is = false; };
template <class M, class... Ms> struct first_default_fn<M, Ms...>
    : std::conditional_t<default_fn_info<M>::is, default_fn_info<M>, first_default_fn<Ms...>> {};

}  // namespace detail

template <class T> struct is_column : std::false_type {};

template <class Tbl, FixedString Name, class Type, class... Mods>
struct ColumnDecl {
  using table = Tbl;
  using type = Type;
  using value_type = typename Type::cpp;
  using modifiers = std::tuple<Mods...>;
  static constexpr std::string_view name = Name.view();
  static constexpr Kind kind = Type::kind;
  static constexpr bool primary_key = detail::has<PrimaryKey, Mods...>;
  static constexpr bool autoincrement = detail::has<AutoIncrement, Mods...>;
  static constexpr bool not_null = primary_key || detail::has<NotNull, Mods...>;
  static constexpr bool nullable = !not_null;
  static constexpr bool unique = detail::has<Unique, Mods...>;
  static constexpr bool has_sql_default = (detail::default_info<Mods>::is || ...);
  static constexpr bool has_default_fn = detail::first_default_fn<Mods...>::is;
  // SQLite fills an INTEGER PRIMARY KEY (the rowid) when none is given.
  static constexpr bool rowid_alias = primary_key && Type::kind == Kind::integer;
  // An insert must give a value: NOT NULL, no default of any kind.
  static constexpr bool required_on_insert = not_null && !has_sql_default && !has_default_fn && !rowid_alias;
  // The C++ type of the column's value in a row.
  using field_type = std::conditional_t<nullable, std::optional<value_type>, value_type>;
  // Its type in a borrowed row (select ... for_each): text and blobs as views of the row
  // the driver is reading, valid during the call only.
  using borrowed_value =
      std::conditional_t<std::is_same_v<value_type, std::string>, std::string_view,
                         std::conditional_t<std::is_same_v<value_type, db::Blob>,
                                            std::span<const std::uint8_t>, value_type>>;
  using borrowed_field_type =
      std::conditional_t<nullable, std::optional<borrowed_value>, borrowed_value>;

  static_assert(!autoincrement || (primary_key && Type::kind == Kind::integer),
                "schema: AutoIncrement needs an Integer PrimaryKey column");

  // The application-side default, converted to the column's type.
  static value_type make_default() requires has_default_fn {
    auto v = detail::first_default_fn<Mods...>::fn();
    if constexpr (Type::kind == Kind::timestamp) {
      return std::chrono::floor<std::chrono::seconds>(v);
    } else {
      return value_type(std::move(v));
    }
  }
};

template <class Tbl, FixedString Name, class Type, class... Mods>
struct is_column<ColumnDecl<Tbl, Name, Type, Mods...>> : std::true_type {};

template <class T>
concept ColumnRef = is_column<std::remove_cvref_t<T>>::value;

}  // namespace ds::db::dsl
