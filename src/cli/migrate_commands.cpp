#include "cli/migrate_commands.hpp"

#include <cstdio>
#include <iostream>

#include "cli/selected_database.hpp"
#include "core/data_dir_lock.hpp"
#include "db/core_schema.hpp"
#include "db/migrate/check.hpp"
#include "db/migrate/generate.hpp"
#include "db/migrate/runner.hpp"
#include "plugins/plugin_migrations.hpp"

namespace ds::cli {
namespace {

db::migrate::MigrationFolder folder_for(const MigrateCommands& c, const Config& config) {
  return db::migrate::MigrationFolder(
      db::migrate::locate_migrations(c.migrations_dir, config.migrations_dir));
}

int generate(const MigrateCommands& c, const Config& config) {
  // --plugin: the plugin's own tables and folder (plugins/plugin_migrations.hpp).
  const auto plugin = c.plugin ? std::optional(plugins::plugin_migration_target(config, *c.plugin, c.migrations_dir))
                               : std::nullopt;
  // generate may start a new folder: create the one named explicitly.
  const auto dir = plugin ? plugin->folder
                          : db::migrate::locate_migrations(c.migrations_dir, config.migrations_dir);
  if (plugin || c.migrations_dir || config.migrations_dir) std::filesystem::create_directories(dir);
  db::migrate::MigrationFolder folder(dir);
  db::migrate::GenerateOptions options;
  options.name = c.name;
  options.custom = c.custom;
  for (const auto& r : c.renames) db::migrate::parse_rename(r, options.renames);
  const auto result = db::migrate::generate_migration(folder, plugin ? plugin->schema : db::core_schema(), options);
  for (const auto& w : result.likely_renames) {
    std::fprintf(stderr, "\n!!! WARNING: %s\n", w.c_str());
  }
  if (!result.sql_file) {
    std::printf("No schema changes: nothing to generate (%s is up to date).\n", folder.dir().c_str());
    return 0;
  }
  std::printf("Wrote %s (%zu statements). Review it, then commit the folder.\n", result.sql_file->c_str(),
              result.statements.size());
  return 0;
}

int up(const MigrateCommands& c, const Config& config) {
  // A writer: never beside a live server (core/data_dir_lock.hpp). A dry run only reads.
  std::optional<DataDirLock> lock;
  if (!c.dry_run) lock.emplace(DataDirLock::acquire(config.data_dir, "db up"));
  const auto folder = folder_for(c, config);
  const auto db = open_selected_database(
      config, c.dry_run ? db::OpenMode::must_exist : db::OpenMode::create_if_missing);
  const auto result = db::migrate::apply_migrations(*db, folder, c.dry_run);
  if (result.applied.empty()) {
    std::printf("Nothing pending: the database is up to date with %s.\n", folder.dir().c_str());
    return 0;
  }
  if (c.dry_run) {
    std::printf("-- dry run: %zu migration(s) would be applied, in one transaction\n", result.applied.size());
    for (const auto& s : result.sql) std::printf("%s\n", s.c_str());
    return 0;
  }
  for (const auto& tag : result.applied) std::printf("applied %s\n", tag.c_str());
  std::printf("%zu migration(s) applied.\n", result.applied.size());
  return 0;
}

int check(const MigrateCommands& c, const Config& config) {
  const auto folder = folder_for(c, config);
  const auto db = open_selected_database(config, db::OpenMode::must_exist);
  const auto problems = db::migrate::check_database(*db, folder);
  if (problems.empty()) {
    std::printf("ok: folder intact, applied migrations unchanged, database schema matches the latest snapshot\n");
    return 0;
  }
  for (const auto& p : problems) std::fprintf(stderr, "drift: %s\n", p.c_str());
  return 2;
}

}  // namespace

void add_migrate_commands(CLI::App& db, MigrateCommands& c) {
  const auto dir_flag = [&](CLI::App* cmd) {
    cmd->add_option("--migrations", c.migrations_dir, "Migrations folder (default: $DEPLOYSTACK_MIGRATIONS_DIR, "
                                                      "else the one installed beside the binary)");
  };
  c.generate = db.add_subcommand("generate", "Diff the schema against the latest snapshot and write the next migration");
  dir_flag(c.generate);
  c.generate->add_option("--name", c.name, "Migration name (the file is NNNN_<name>.sql)");
  c.generate->add_option("--rename", c.renames, "A rename, never guessed: table.old=table.new (column) or old=new (table)");
  c.generate->add_flag("--custom", c.custom, "Write an empty migration for hand-written SQL (data fixes)");
  c.generate->add_option("--plugin", c.plugin, "Generate for this plugin (its tables; its folder unless --migrations)");
  c.up = db.add_subcommand("up", "Apply pending migrations (creates the SQLite file if needed)");
  dir_flag(c.up);
  c.up->add_flag("--dry-run", c.dry_run, "Print the SQL that would run; change nothing");
  c.check = db.add_subcommand("check", "Verify the folder, the applied migrations and the live schema; non-zero on drift");
  dir_flag(c.check);
}

std::optional<int> run_migrate_command(const MigrateCommands& c, const Config& config) {
  if (c.generate->parsed()) return generate(c, config);
  if (c.up->parsed()) return up(c, config);
  if (c.check->parsed()) return check(c, config);
  return std::nullopt;
}

}  // namespace ds::cli
