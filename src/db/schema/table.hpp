#pragma once
// Tables: a column list written once as a template over "what a column is", instantiated as
// declarations (the table object used in queries), as rows (plain values), as insert rows and
// as patches. See docs/SCHEMA.md.
//
//   template <template <FixedString, class, class...> class Column>
//   struct ProjectsColumns {
//     Column<"id", Text, PrimaryKey> id;
//     Column<"name", Text, NotNull> name;
//   };
//   struct Projects : Table<Projects, "projects", ProjectsColumns> {};
//   inline constexpr Projects projects;
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "db/schema/column.hpp"
#include "db/schema/members.hpp"
#include "db/schema/model.hpp"

namespace ds::db::dsl {

// The rule named by the compile error when an insert row misses a required column.
template <class T, class Decl>
struct Required {
  T value;
  template <class U>
    requires std::is_constructible_v<T, U&&>
  Required(U&& u) : value(std::forward<U>(u)) {}  // NOLINT: implicit on purpose (designated init)
  template <int = 0>
  Required() {
    static_assert(sizeof(Decl) == 0,
                  "MISSING REQUIRED COLUMN: an insert row must set every NOT NULL column that has "
                  "no default (see the column named in Decl below)");
  }
};

// A patch field: absent (not changed) or a value (which may be std::nullopt for NULL).
template <class T>
struct Set {
  bool present = false;
  T value{};
  Set() = default;
  template <class U>
    requires std::is_constructible_v<T, U&&>
  Set(U&& u) : present(true), value(std::forward<U>(u)) {}  // NOLINT: implicit on purpose
};

template <class Tbl>
struct Bind {
  template <FixedString N, class T, class... M>
  using col = ColumnDecl<Tbl, N, T, M...>;
};

namespace detail {
template <FixedString N, class T, class... M>
using FieldOf = typename ColumnDecl<void, N, T, M...>::field_type;
template <FixedString N, class T, class... M>
using InsertFieldOf = std::conditional_t<ColumnDecl<void, N, T, M...>::required_on_insert,
                                         Required<typename T::cpp, ColumnDecl<void, N, T, M...>>,
                                         std::optional<typename T::cpp>>;
template <FixedString N, class T, class... M>
using PatchFieldOf = Set<typename ColumnDecl<void, N, T, M...>::field_type>;
template <FixedString N, class T, class... M>
using BorrowedFieldOf = typename ColumnDecl<void, N, T, M...>::borrowed_field_type;
}  // namespace detail

// A table-level constraint, from the builders below and Table::foreign_key.
using Constraint =
    std::variant<schema::Index, schema::CompositePrimaryKey, schema::UniqueConstraint,
                 schema::CheckConstraint, schema::ForeignKey>;

// A table-level foreign key being written: foreign_key(a, b).references(o.x, o.y).on_delete(..).
class ForeignKeyConstraint {
 public:
  explicit ForeignKeyConstraint(schema::ForeignKey fk) : fk_(std::move(fk)) {}
  ForeignKeyConstraint on_delete(Action a) && {
    fk_.on_delete = to_sql(a);
    return std::move(*this);
  }
  ForeignKeyConstraint on_update(Action a) && {
    fk_.on_update = to_sql(a);
    return std::move(*this);
  }
  // NOLINTNEXTLINE: implicit on purpose, an element of constraints()' list
  operator schema::ForeignKey() const { return fk_; }

 private:
  schema::ForeignKey fk_;
};

template <class Self, class... From>
class ForeignKeyFrom {
 public:
  explicit ForeignKeyFrom(std::string name) : name_(std::move(name)) {}
  // The referenced columns, in the order of the foreign_key() columns. Named
  // <table>_<from cols>_<other>_<to cols>_fk when walked, unless foreign_key() named it.
  template <ColumnRef... To>
  ForeignKeyConstraint references(const To&...) && {
    static_assert(sizeof...(To) == sizeof...(From),
                  "FOREIGN KEY MISMATCH: references() names as many columns as foreign_key()");
    using Target = typename std::tuple_element_t<0, std::tuple<To..., void>>::table;
    static_assert((std::is_same_v<typename To::table, Target> && ...),
                  "FOREIGN KEY MISMATCH: the columns of references() must be of one table");
    schema::ForeignKey fk;
    fk.name = std::move(name_);
    fk.table_from = Self::table_name;
    fk.table_to = Target::table_name;
    fk.columns_from = {std::string(From::name)...};
    fk.columns_to = {std::string(To::name)...};
    return ForeignKeyConstraint(std::move(fk));
  }

 private:
  std::string name_;
};

template <class Self, FixedString Name, template <template <FixedString, class, class...> class> class Columns>
struct Table : Columns<Bind<Self>::template col> {
  static constexpr std::string_view table_name = Name.view();
  template <template <FixedString, class, class...> class C>
  using columns_as = Columns<C>;
  using declarations = Columns<Bind<Self>::template col>;
  // Indexes, composite keys, checks: a derived table hides this with its own list.
  static std::vector<Constraint> constraints() { return {}; }

  // FOREIGN KEY (cols...) REFERENCES other(cols...), for constraints(): a member so that it
  // knows its table and can refuse a column of another one. Optionally named first.
  template <ColumnRef... C>
  static ForeignKeyFrom<Self, C...> foreign_key(const C&...) {
    check_foreign_key_columns<C...>();
    return ForeignKeyFrom<Self, C...>({});
  }
  template <ColumnRef... C>
  static ForeignKeyFrom<Self, C...> foreign_key(std::string name, const C&...) {
    check_foreign_key_columns<C...>();
    return ForeignKeyFrom<Self, C...>(std::move(name));
  }

 private:
  template <class... C>
  static constexpr void check_foreign_key_columns() {
    static_assert(sizeof...(C) > 0,
                  "FOREIGN KEY MISMATCH: foreign_key() names at least one column");
    static_assert(
        (std::is_same_v<typename C::table, Self> && ...),
        "FOREIGN KEY OF ANOTHER TABLE: the columns of foreign_key() must be columns of the "
        "table whose constraints() it is in");
  }
};

template <class T> using Row = typename T::template columns_as<detail::FieldOf>;
template <class T> using InsertRow = typename T::template columns_as<detail::InsertFieldOf>;
template <class T> using Patch = typename T::template columns_as<detail::PatchFieldOf>;
// A row whose text and blob fields view the row a driver is reading (query for_each()).
template <class T> using Borrowed = typename T::template columns_as<detail::BorrowedFieldOf>;

template <class T>
concept TableRef = requires { std::remove_cvref_t<T>::table_name; typename std::remove_cvref_t<T>::declarations; };

template <class T>
inline constexpr std::size_t column_count = detail::member_count<typename T::declarations>();

// Every member of a row / insert row / patch / declaration of table T, as a tuple of refs.
template <class T, class Obj>
constexpr auto fields(Obj& obj) noexcept { return detail::tie_members<column_count<T>>(obj); }

// The column declaration types of T, as a std::tuple type.
template <class T>
using columns_of = std::remove_cvref_t<decltype(fields<T>(std::declval<const typename T::declarations&>()))>;
template <class T, std::size_t I>
using column_at = std::remove_cvref_t<std::tuple_element_t<I, columns_of<T>>>;

// ---- table-level constraint builders (for Table::constraints()) ---------------------------
template <ColumnRef... C>
schema::Index index(std::string name, const C&...) { return {std::move(name), {std::string(C::name)...}, false, std::nullopt}; }
template <ColumnRef... C>
schema::Index unique_index(std::string name, const C&...) { return {std::move(name), {std::string(C::name)...}, true, std::nullopt}; }
inline schema::Index where(schema::Index i, std::string condition) { i.where = std::move(condition); return i; }
// Named <table>_<cols>_pk / <table>_<cols>_unique when walked, as drizzle names them.
template <ColumnRef... C>
schema::CompositePrimaryKey primary_key(const C&...) { return {{}, {std::string(C::name)...}}; }
template <ColumnRef... C>
schema::UniqueConstraint unique(const C&...) { return {{}, {std::string(C::name)...}}; }
inline schema::CheckConstraint check(std::string name, std::string sql) { return {std::move(name), std::move(sql)}; }

}  // namespace ds::db::dsl
