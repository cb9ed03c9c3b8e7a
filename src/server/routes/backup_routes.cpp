#include "server/routes/backup_routes.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/time.hpp"
#include "db/backup.hpp"
#include "db/open_database.hpp"
#include "http/errors.hpp"
#include "server/require_admin.hpp"
#include "server/require_database.hpp"
#include "setup/backup.hpp"

namespace ds::http {
namespace {

RouteDoc backup_doc() {
  return {
      .summary = "Copies the live SQLite database to a new file under persistent_data/backups",
      .description =
          "The server names the file. Turso databases answer 400 with what to "
          "use instead.",
      .responses = {{200,
                     "The copy, checked",
                     {{"type", "object"},
                      {"required", nlohmann::json::array({"success", "data"})},
                      {"properties",
                       {{"success", {{"const", true}}},
                        {"data",
                         {{"type", "object"},
                          {"required", {"file", "bytes", "integrity"}},
                          {"properties",
                           {{"file", {{"type", "string"}}},
                            {"bytes", {{"type", "integer"}, {"minimum", 0}}},
                            {"integrity", {{"const", "ok"}}}}}}}}}}},
                    {400, "This database's backups are not made by deploystack", error_schema()}},
      .needs_database = true,
      .admin = true};
}

}  // namespace

void add_backup_routes(Router& router, const setup::DatabaseManager& manager,
                       const settings::KeyManager& keys, const Config& config) {
  // One backup at a time: each copies the whole database, and their names come from the clock.
  auto one_at_a_time = std::make_shared<std::mutex>();
  router.add(
      Method::post, "/api/db/backup",
      [&manager, &keys, &config, one_at_a_time](const Request& request) {
        require_admin(request, config, "Backup API");
        const auto live = require_database(manager);  // held: not closed meanwhile
        const auto type = manager.status().dialect;
        if (!type) throw Error(Errc::internal, "the live database has no type");
        const std::lock_guard lock(*one_at_a_time);
        // The server names the file: a client never chooses a path.
        const auto dir = config.data_dir / "backups";
        auto file = dir / (db::file_timestamp(now_ms()) + ".db");
        for (int n = 2; std::filesystem::exists(file); ++n)
          file = dir / (db::file_timestamp(now_ms()) + "-" + std::to_string(n) + ".db");
        setup::BackupMade made;
        try {
          made = setup::back_up(db::target_from_config(*type, config), file, &keys,
                                setup::backup_options(config));
        } catch (const db::BackupNotSupported& e) {
          const nlohmann::ordered_json body{
              {"success", false},
              {"error", "Backups of this database are not made by deploystack"},
              {"details", e.what()}};
          return Response::json(400, body.dump());
        }
        spdlog::info("backup written file={} bytes={} migrations={}", file.string(),
                     made.copy.bytes, made.copy.migrations.size());
        const nlohmann::ordered_json body{
            {"success", true},
            {"data", {{"file", file.string()}, {"bytes", made.copy.bytes}, {"integrity", "ok"}}}};
        return Response::json(200, body.dump());
      },
      Execution::blocking, backup_doc());
}

}  // namespace ds::http
