#pragma once
// What a Turso database uses instead of `deploystack db backup/restore`: the database lives
// on the Turso server, which keeps its own history.
#include <string_view>

namespace ds::db::turso {

inline constexpr std::string_view kBackupAdvice =
    "backups of a Turso database are not made by deploystack (there is no local file to copy): "
    "use Turso's point-in-time restore (turso db create <new-name> --from-db <db> --timestamp "
    "<time>) or a dump (turso db shell <db> .dump > backup.sql; load it with turso db shell "
    "<new-db> < backup.sql), then point TURSO_DATABASE_URL at the database to use";

}  // namespace ds::db::turso
