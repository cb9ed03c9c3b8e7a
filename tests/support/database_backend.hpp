#pragma once
// The database a test server uses, behind one interface so that the same integration test
// can run against SQLite or Turso: the test asks for "the database", never for a type.
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace ds::test {

class DatabaseBackend {
 public:
  virtual ~DatabaseBackend() = default;

  // The `type` of POST /api/db/setup and the `dialect` of the status: "sqlite" or "turso".
  virtual std::string type() const = 0;

  // The environment that points a server started in `server_dir` at this database
  // (SQLITE_DB_PATH, or TURSO_DATABASE_URL + TURSO_AUTH_TOKEN). May start what it needs.
  virtual std::map<std::string, std::string> server_env(const std::filesystem::path& server_dir) = 0;
};

// SQLite at the default path (persistent_data/database/deploystack.db in the server folder).
std::shared_ptr<DatabaseBackend> sqlite_backend();

// A local libSQL-protocol server (tursodb), started on first use in the first server folder
// it is asked for and kept for the backend's lifetime, so a restarted server finds its data.
std::shared_ptr<DatabaseBackend> turso_backend();

// The SQLite file a server started in `server_dir` uses with sqlite_backend().
std::filesystem::path default_sqlite_file(const std::filesystem::path& server_dir);

}  // namespace ds::test
