#pragma once
// The database a test server uses, behind one interface so that the same integration test
// can run against SQLite or Turso: the test asks for "the database", never for a type.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/connection.hpp"

namespace ds::test {

class TursoServer;
class HranaTestServer;

class DatabaseBackend {
 public:
  virtual ~DatabaseBackend() = default;

  // The `type` of POST /api/db/setup and the `dialect` of the status: "sqlite" or "turso".
  virtual std::string type() const = 0;

  // The environment that points a server started in `server_dir` at this database
  // (SQLITE_DB_PATH, or TURSO_DATABASE_URL + TURSO_AUTH_TOKEN). May start what it needs.
  // The first call decides where the database lives; the methods below need it.
  virtual std::map<std::string, std::string> server_env(const std::filesystem::path& server_dir) = 0;

  // The test's own connection to that database, to read or change rows behind the server's
  // back (through the project's driver). nullptr when the database does not exist yet (no
  // SQLite file) unless `create`. With Turso, call it only while the server is idle: the
  // local tursodb shares one connection between all its clients.
  virtual std::shared_ptr<db::Connection> connect(bool create = false) = 0;

  // The files that hold the database on disk, to prove what is (not) stored at rest.
  virtual std::vector<std::filesystem::path> files() const = 0;

  // The local Turso server behind this backend (to stop and restart it); nullptr for SQLite.
  virtual TursoServer* turso_server() { return nullptr; }
  // The Hrana test server behind this backend; nullptr for the others.
  virtual HranaTestServer* hrana_server() { return nullptr; }
};

// SQLite at the default path (persistent_data/database/deploystack.db in the server folder).
std::shared_ptr<DatabaseBackend> sqlite_backend();

// A local libSQL-protocol server (tursodb), started on first use in the first server folder
// it is asked for and kept for the backend's lifetime, so a restarted server finds its data.
std::shared_ptr<DatabaseBackend> turso_backend();

// The suites' own spec-following Hrana server (tests/support/hrana_server.py): type "turso",
// real streams, foreign keys off on its connections, requiring kTursoTestToken, serving only
// Hrana 2 (`/v2/pipeline`) or only Hrana 3 (`/v3/pipeline`). Started on first use like
// turso_backend()'s, one server per backend instance.
std::shared_ptr<DatabaseBackend> hrana_v2_backend();
std::shared_ptr<DatabaseBackend> hrana_v3_backend();

// The SQLite file a server started in `server_dir` uses with sqlite_backend().
std::filesystem::path default_sqlite_file(const std::filesystem::path& server_dir);

// A suite's parameter: the factory of a fresh backend per test.
using BackendFactory = std::shared_ptr<DatabaseBackend> (*)();
// Names the parameter in test names ("sqlite", "turso", "hrana_v2" or "hrana_v3") instead of the
// factory's address, so that names stay the same from build to build:
// INSTANTIATE_TEST_SUITE_P(Turso, Suite,
// ::testing::Values(&turso_backend), backend_name).
std::string backend_name(const ::testing::TestParamInfo<BackendFactory>& info);
// How gtest prints the parameter (found by ADL through the factory's return type); ctest's
// test names carry it, so it too is the name rather than an address.
void PrintTo(BackendFactory factory, std::ostream* os);

// The token turso_backend() gives the server: no log line or response may contain it.
inline constexpr const char* kTursoTestToken = "test-token-never-logged";

}  // namespace ds::test
