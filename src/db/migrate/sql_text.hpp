#pragma once
// The SQL text of each migration statement, byte for byte as drizzle-kit 0.31 writes it for
// sqlite (backticks, tab-indented columns, `);\n` after CREATE TABLE).
#include <string>
#include <vector>

#include "db/schema/model.hpp"

namespace ds::db::migrate::sql {

inline constexpr std::string_view kBreakpoint = "--> statement-breakpoint\n";

std::string create_table(const schema::Table& table, const std::string& name_override = {});
std::string drop_table(const std::string& table);
std::string rename_table(const std::string& from, const std::string& to);
// `reference`: the single-column foreign key declared on the added column, if any.
std::string add_column(const std::string& table, const schema::Column& column,
                       const schema::ForeignKey* reference);
std::string drop_column(const std::string& table, const std::string& column);
std::string rename_column(const std::string& table, const std::string& from, const std::string& to);
std::string create_index(const std::string& table, const schema::Index& index);
std::string drop_index(const std::string& index);

// The rebuild for what ALTER TABLE cannot change: foreign_keys off, CREATE __new_<t>, copy
// `copy_columns` (those present before and after), drop, rename, foreign_keys on, then the
// table's indexes.
std::vector<std::string> rebuild_table(const schema::Table& table, const std::vector<std::string>& copy_columns);

// The statements joined as a migration file: breakpoints between, no newline at the end.
std::string join(const std::vector<std::string>& statements);

}  // namespace ds::db::migrate::sql
