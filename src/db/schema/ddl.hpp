#pragma once
// CREATE TABLE / CREATE INDEX text for the model, in drizzle-kit's format. Used to create the
// core tables at setup until the migration engine (db/migrate/) takes over.
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/schema/model.hpp"

namespace ds::db::schema {

enum class IfNotExists { no, yes };

// The statements that create `table` (the table, then its indexes), one per element.
std::vector<std::string> create_table_statements(const Table& table, IfNotExists mode = IfNotExists::no);

// create_table_statements for every table, tables in the schema's order.
std::vector<std::string> create_schema_statements(const Schema& schema, IfNotExists mode = IfNotExists::no);

// Creates every table and index of `schema` that does not exist yet, atomically. Temporary:
// the migration engine replaces this at setup.
void create_missing_tables(Connection& db, const Schema& schema);

}  // namespace ds::db::schema
