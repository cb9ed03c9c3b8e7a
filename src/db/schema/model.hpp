#pragma once
// The schema as data: what the typed DSL (db/schema/) produces at run time and what the
// migration engine (db/migrate/) serialises to drizzle snapshots, diffs and turns into SQL.
// Field names follow drizzle-kit's sqlite snapshot (version "6"), see
// ../shared/spec/migrations.md.
#include <optional>
#include <string>
#include <vector>

namespace ds::db::schema {

struct ColumnDefault {
  enum class Kind {
    sql,      // SQL text exactly as the snapshot stores it: "'user'", "(unixepoch())"
    number,   // a numeric literal; `text` is its decimal form, a JSON number in the snapshot
    boolean,  // `text` is "true" or "false", a JSON boolean in the snapshot
  };
  Kind kind = Kind::sql;
  std::string text;
  bool operator==(const ColumnDefault&) const = default;
};

struct Column {
  std::string name;
  std::string type;  // SQL type as drizzle writes it: "text", "integer", "real", "blob", "numeric"
  bool primary_key = false;
  bool not_null = false;
  bool autoincrement = false;
  std::optional<ColumnDefault> default_value;  // none for application-side defaults
  bool operator==(const Column&) const = default;
};

struct Index {
  std::string name;
  std::vector<std::string> columns;
  bool is_unique = false;
  std::optional<std::string> where;  // partial index condition, SQL text
  bool operator==(const Index&) const = default;
};

struct ForeignKey {
  std::string name;  // <tableFrom>_<colsFrom>_<tableTo>_<colsTo>_fk
  std::string table_from;
  std::string table_to;
  std::vector<std::string> columns_from;
  std::vector<std::string> columns_to;
  std::string on_delete = "no action";  // lowercase: "cascade", "set null", "restrict" ...
  std::string on_update = "no action";
  bool operator==(const ForeignKey&) const = default;
};

struct CompositePrimaryKey {
  std::string name;  // <table>_<cols>_pk
  std::vector<std::string> columns;
  bool operator==(const CompositePrimaryKey&) const = default;
};

struct UniqueConstraint {
  std::string name;
  std::vector<std::string> columns;
  bool operator==(const UniqueConstraint&) const = default;
};

struct CheckConstraint {
  std::string name;
  std::string value;  // SQL expression
  bool operator==(const CheckConstraint&) const = default;
};

struct Table {
  std::string name;
  std::vector<Column> columns;  // declaration order
  std::vector<Index> indexes;
  std::vector<ForeignKey> foreign_keys;
  std::vector<CompositePrimaryKey> composite_primary_keys;
  std::vector<UniqueConstraint> unique_constraints;
  std::vector<CheckConstraint> check_constraints;
  bool operator==(const Table&) const = default;
};

struct Schema {
  std::vector<Table> tables;  // any order; serialisers sort by name
  bool operator==(const Schema&) const = default;
};

}  // namespace ds::db::schema
