#pragma once
// The database a command works on without a server (`db up`, `db check`, `settings
// rotate-key`), chosen as the server chooses it at start: the selection file's type, else
// DB_TYPE when there is no selection file, opened with the same configuration.
#include <memory>

#include "core/config.hpp"
#include "db/connection.hpp"
#include "db/open_database.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace ds::cli {

// Which database that is, not opened. Throws what open_selected_database throws for the
// selection (not for the configuration: see db::configuration_problem).
db::DatabaseTarget selected_target(const Config& config);

// Opens that database (nothing is run on it; a remote one is not contacted yet). Throws
// ds::Error(validation), written for the operator, when the selection file is invalid, when no
// database is selected, or when the selected one is not configured (the variables to set);
// what opening throws otherwise (db/open_database.hpp).
std::shared_ptr<db::Connection> open_selected_database(const Config& config, db::OpenMode mode);

}  // namespace ds::cli
