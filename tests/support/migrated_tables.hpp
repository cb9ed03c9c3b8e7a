#pragma once
// Tables for tests made the way the server makes them: by the migration engine (db/migrate/),
// never by a second CREATE TABLE generator.
#include <filesystem>
#include <vector>

#include "db/connection.hpp"
#include "db/schema/model.hpp"

namespace ds::test {

// The checked-in core migrations (drizzle/migrations_sqlite of the source tree).
std::filesystem::path core_migrations_dir();

// Applies the core migrations to `db`, as the server's migrate stage does.
void apply_core_migrations(db::Connection& db);

// Creates test-only `tables` (with their indexes) in one migration batch, from the SQL the
// migration engine writes for new tables. Tables they reference must exist or be among them.
void create_tables_by_migration(db::Connection& db, const std::vector<db::schema::Table>& tables);

}  // namespace ds::test
