#pragma once
// Applies a migration folder to a database, stricter than drizzle-orm's migrator but with the
// same `__drizzle_migrations` rows, so either can take over from the other. Rules:
// ../shared/spec/migrations.md ("Runner").
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/migrate/folder.hpp"

namespace ds::db::migrate {

// drizzle's tracking table. Another name gives a separate chain in the same database (each
// plugin has its own: plugins/plugin_migrations.hpp).
inline constexpr std::string_view kTrackingTable = "__drizzle_migrations";

// The statements of one migration file: split at `--> statement-breakpoint`, chunks without a
// statement skipped. A chunk holding two statements is ds::Error(validation) naming the file
// and the chunk (1-based).
std::vector<std::string> split_statements(const Migration& migration);

struct AppliedRow {
  std::string hash;
  std::int64_t created_at = 0;
};

// What the folder and the database's `__drizzle_migrations` rows say is still to run.
// Throws ds::Error(conflict) naming the file when an applied migration's file changed (hash
// drift) or an entry older than the latest applied one was never applied (out of order).
std::vector<const Migration*> pending_migrations(const std::vector<Migration>& migrations,
                                                 const std::vector<AppliedRow>& applied);

// The rows of `__drizzle_migrations`, empty when the table does not exist.
std::vector<AppliedRow> read_applied(Connection& db,
                                     std::string_view tracking_table = kTrackingTable);

struct MigrateResult {
  std::vector<std::string> applied;  // tags, in order (dry run: what would be applied)
  std::vector<std::string> sql;      // dry run only: each statement that would run
};

// Applies every pending migration in one Connection::migration_batch (one transaction,
// foreign keys off, checked before COMMIT); any failure leaves the database as it was and
// names the file (and statement). Two round trips however many migrations are pending: the
// tracking table is read first, and the batch starts with a guard that the table still holds
// what was read, so a concurrent runner that got there first makes this one read again and
// find nothing pending. `dry_run` reads only and returns the SQL instead.
MigrateResult apply_migrations(Connection& db, const MigrationFolder& folder, bool dry_run = false,
                               std::string_view tracking_table = kTrackingTable);

}  // namespace ds::db::migrate
