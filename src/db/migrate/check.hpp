#pragma once
// `db check`: is the folder intact, are the applied migrations the files we have, and is the
// live schema the latest snapshot? Every problem is listed, each naming what to look at.
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/migrate/folder.hpp"

namespace ds::db::migrate {

// Folder integrity only: journal order and tags, files present, snapshot chain (each
// prevId is the previous id, the first is all zeros).
std::vector<std::string> check_folder(const MigrationFolder& folder);

// check_folder, then the applied rows against the files (hash drift, out of order, pending),
// then the live schema against the latest snapshot (tables, columns, indexes, foreign keys).
std::vector<std::string> check_database(Connection& db, const MigrationFolder& folder);

}  // namespace ds::db::migrate
