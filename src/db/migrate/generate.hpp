#pragma once
// `db generate`: diff the schema against the folder's latest snapshot and write the next
// migration (SQL, snapshot, journal entry) in drizzle-kit's format.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "db/migrate/folder.hpp"
#include "db/migrate/snapshot.hpp"

namespace ds::db::migrate {

struct GenerateOptions {
  std::optional<std::string> name;  // default: an adjective_hero pair derived from the SQL
  Renames renames;
  bool custom = false;  // an empty migration for hand-written SQL
};

struct GenerateResult {
  std::optional<std::filesystem::path> sql_file;  // nullopt: no change, nothing written
  std::vector<std::string> statements;
  std::vector<std::string> likely_renames;  // print loudly: these drop data
};

GenerateResult generate_migration(MigrationFolder& folder, const schema::Schema& schema, const GenerateOptions& options);

// "table.old=table.new" (a column) or "old=new" (a table). Throws ds::Error(validation).
void parse_rename(const std::string& text, Renames& into);

}  // namespace ds::db::migrate
