#include "db/migrate/sql_text.hpp"

#include <fmt/format.h>

namespace ds::db::migrate::sql {
namespace {

std::string ticked(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += sep;
    out += '`' + names[i] + '`';
  }
  return out;
}

std::string column_definition(const schema::Column& c, bool with_autoincrement) {
  std::string out = fmt::format("`{}` {}", c.name, c.type);
  if (c.primary_key) out += " PRIMARY KEY";
  if (with_autoincrement && c.autoincrement) out += " AUTOINCREMENT";
  if (c.default_value) out += " DEFAULT " + c.default_value->text;
  if (c.not_null) out += " NOT NULL";
  return out;
}

}  // namespace

std::string create_table(const schema::Table& t, const std::string& name_override) {
  std::string s = fmt::format("CREATE TABLE `{}` (\n", name_override.empty() ? t.name : name_override);
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    s += '\t' + column_definition(t.columns[i], true);
    if (i + 1 < t.columns.size()) s += ",\n";
  }
  for (const auto& pk : t.composite_primary_keys) s += ",\n\tPRIMARY KEY(" + ticked(pk.columns, ", ") + ")";
  for (const auto& fk : t.foreign_keys) {
    s += fmt::format(",\n\tFOREIGN KEY ({}) REFERENCES `{}`({}) ON UPDATE {} ON DELETE {}",
                     ticked(fk.columns_from, ","), fk.table_to, ticked(fk.columns_to, ","), fk.on_update,
                     fk.on_delete);
  }
  for (const auto& u : t.unique_constraints) s += fmt::format(",\n\tCONSTRAINT {} UNIQUE({})", u.name, ticked(u.columns, ","));
  for (const auto& c : t.check_constraints) s += fmt::format(",\n\tCONSTRAINT \"{}\" CHECK({})", c.name, c.value);
  s += "\n);\n";
  return s;
}

std::string drop_table(const std::string& table) { return fmt::format("DROP TABLE `{}`;", table); }

std::string rename_table(const std::string& from, const std::string& to) {
  return fmt::format("ALTER TABLE `{}` RENAME TO `{}`;", from, to);
}

std::string add_column(const std::string& table, const schema::Column& c, const schema::ForeignKey* reference) {
  std::string s = fmt::format("ALTER TABLE `{}` ADD {}", table, column_definition(c, false));
  if (reference != nullptr) {
    // drizzle-kit writes the bare REFERENCES clause; the actions are added only when they are
    // not the default, where drizzle-kit would silently drop them.
    std::string to;
    for (std::size_t i = 0; i < reference->columns_to.size(); ++i) to += (i ? "," : "") + reference->columns_to[i];
    s += fmt::format(" REFERENCES {}({})", reference->table_to, to);
    if (reference->on_update != "no action" || reference->on_delete != "no action") {
      s += fmt::format(" ON UPDATE {} ON DELETE {}", reference->on_update, reference->on_delete);
    }
  }
  return s + ";";
}

std::string drop_column(const std::string& table, const std::string& column) {
  return fmt::format("ALTER TABLE `{}` DROP COLUMN `{}`;", table, column);
}

std::string rename_column(const std::string& table, const std::string& from, const std::string& to) {
  return fmt::format("ALTER TABLE `{}` RENAME COLUMN \"{}\" TO \"{}\";", table, from, to);
}

std::string create_index(const std::string& table, const schema::Index& i) {
  std::string s = fmt::format("CREATE {}INDEX `{}` ON `{}` ({})", i.is_unique ? "UNIQUE " : "", i.name, table,
                              ticked(i.columns, ","));
  if (i.where) s += " WHERE " + *i.where;
  return s + ";";
}

std::string drop_index(const std::string& index) { return fmt::format("DROP INDEX `{}`;", index); }

std::vector<std::string> rebuild_table(const schema::Table& t, const std::vector<std::string>& copy_columns) {
  const std::string temp = "__new_" + t.name;
  std::string cols;
  for (std::size_t i = 0; i < copy_columns.size(); ++i) cols += (i ? ", \"" : "\"") + copy_columns[i] + "\"";
  std::vector<std::string> out;
  out.emplace_back("PRAGMA foreign_keys=OFF;");
  // Checks that name the table qualify their columns with it: they must name the new table.
  schema::Table renamed = t;
  for (auto& c : renamed.check_constraints) {
    for (const auto& [from, to] : {std::pair{"\"" + t.name + "\".", "\"" + temp + "\"."},
                                   std::pair{"`" + t.name + "`.", "`" + temp + "`."}}) {
      for (std::size_t p = c.value.find(from); p != std::string::npos; p = c.value.find(from, p + to.size())) {
        c.value.replace(p, from.size(), to);
      }
    }
  }
  out.push_back(create_table(renamed, temp));
  out.push_back(fmt::format("INSERT INTO `{}`({}) SELECT {} FROM `{}`;", temp, cols, cols, t.name));
  out.push_back(drop_table(t.name));
  out.push_back(rename_table(temp, t.name));
  out.emplace_back("PRAGMA foreign_keys=ON;");
  for (const auto& i : t.indexes) out.push_back(create_index(t.name, i));
  return out;
}

std::string join(const std::vector<std::string>& statements) {
  std::string out;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    if (i > 0) out += kBreakpoint;
    out += statements[i];
  }
  return out;
}

}  // namespace ds::db::migrate::sql
