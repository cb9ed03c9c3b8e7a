#include "support/migrated_tables.hpp"

#include "db/migrate/diff.hpp"
#include "db/migrate/folder.hpp"
#include "db/migrate/runner.hpp"

namespace ds::test {

std::filesystem::path core_migrations_dir() {
  return std::filesystem::path(DS_SOURCE_DIR) / "drizzle" / "migrations_sqlite";
}

void apply_core_migrations(db::Connection& db) {
  db::migrate::apply_migrations(db, db::migrate::MigrationFolder(core_migrations_dir()));
}

void create_tables_by_migration(db::Connection& db, const std::vector<db::schema::Table>& tables) {
  const auto diff = db::migrate::diff_schemas({}, db::schema::Schema{tables}, {});
  std::vector<db::Statement> statements;
  statements.reserve(diff.statements.size());
  for (const auto& sql : diff.statements) statements.push_back({sql, {}});
  db.migration_batch(statements);
}

}  // namespace ds::test
