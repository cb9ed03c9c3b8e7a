#pragma once
// The embedded SQLite driver: a pool of connections to one database file, so reads run in
// parallel; each connection keeps its prepared statements.
#include <filesystem>
#include <memory>

#include "db/connection.hpp"

namespace ds::db {

enum class OpenMode {
  must_exist,         // a missing file is an error (server start: never invent a database)
  create_if_missing,  // setup and `db up` create the file and its folder
};

// Opens (and checks) the database: WAL, foreign_keys=ON, busy_timeout, synchronous=NORMAL,
// double-quoted string literals off. Throws ds::Error(io) naming the path when it cannot.
std::shared_ptr<Connection> open_sqlite(const std::filesystem::path& path, OpenMode mode);

}  // namespace ds::db
