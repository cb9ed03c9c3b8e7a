#include "db/schema/ddl.hpp"

#include <fmt/format.h>

namespace ds::db::schema {
namespace {

std::string quoted_list(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += sep;
    out += fmt::format("`{}`", n);
  }
  return out;
}

}  // namespace

std::vector<std::string> create_table_statements(const Table& table, IfNotExists mode) {
  const std::string_view ine = mode == IfNotExists::yes ? "IF NOT EXISTS " : "";
  std::string sql = fmt::format("CREATE TABLE {}`{}` (\n", ine, table.name);
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const auto& c = table.columns[i];
    sql += fmt::format("\t`{}` {}", c.name, c.type);
    if (c.primary_key) sql += " PRIMARY KEY";
    if (c.autoincrement) sql += " AUTOINCREMENT";
    if (c.default_value) sql += fmt::format(" DEFAULT {}", c.default_value->text);
    if (c.not_null) sql += " NOT NULL";
    if (i + 1 < table.columns.size()) sql += ",\n";
  }
  for (const auto& pk : table.composite_primary_keys) {
    sql += fmt::format(",\n\tPRIMARY KEY({})", quoted_list(pk.columns, ", "));
  }
  for (const auto& fk : table.foreign_keys) {
    sql += fmt::format(",\n\tFOREIGN KEY ({}) REFERENCES `{}`({}) ON UPDATE {} ON DELETE {}",
                       quoted_list(fk.columns_from, ","), fk.table_to, quoted_list(fk.columns_to, ","),
                       fk.on_update, fk.on_delete);
  }
  for (const auto& u : table.unique_constraints) {
    sql += fmt::format(",\n\tCONSTRAINT {} UNIQUE({})", u.name, quoted_list(u.columns, ","));
  }
  for (const auto& ck : table.check_constraints) {
    sql += fmt::format(",\n\tCONSTRAINT \"{}\" CHECK({})", ck.name, ck.value);
  }
  sql += "\n);\n";

  std::vector<std::string> out{std::move(sql)};
  for (const auto& idx : table.indexes) {
    out.push_back(fmt::format("CREATE {}INDEX {}`{}` ON `{}` ({}){};", idx.is_unique ? "UNIQUE " : "", ine,
                              idx.name, table.name, quoted_list(idx.columns, ","),
                              idx.where ? " WHERE " + *idx.where : std::string()));
  }
  return out;
}

std::vector<std::string> create_schema_statements(const Schema& schema, IfNotExists mode) {
  std::vector<std::string> out;
  for (const auto& t : schema.tables) {
    auto stmts = create_table_statements(t, mode);
    out.insert(out.end(), std::make_move_iterator(stmts.begin()), std::make_move_iterator(stmts.end()));
  }
  return out;
}

void create_missing_tables(Connection& db, const Schema& schema) {
  std::vector<Statement> statements;
  for (auto& sql : create_schema_statements(schema, IfNotExists::yes)) statements.push_back({std::move(sql), {}});
  db.batch(statements);
}

}  // namespace ds::db::schema
