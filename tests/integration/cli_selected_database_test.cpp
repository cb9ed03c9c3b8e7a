// The commands that work on the database without a server (`db up`, `db check`, `settings
// rotate-key`) choose and open it one way (cli/selected_database.hpp), so each refuses an
// unusable selection with the same message for the operator.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/server_process.hpp"

namespace ds::test {
namespace {

namespace fs = std::filesystem;

const std::vector<std::vector<std::string>> kCommands = {
    {"db", "up"}, {"db", "check"}, {"settings", "rotate-key"}};

// Runs `args` and returns what it wrote to stderr, expecting it to fail.
std::string refusal(const ServerProcess& server, const std::vector<std::string>& args) {
  const auto log = server.dir() / "cli.log";
  const auto before = fs::exists(log) ? fs::file_size(log) : 0;
  const auto r = server.run_cli(args);
  EXPECT_EQ(r.status, 1) << r.out;
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return text.str().substr(before);
}

// Every command fails and says `message`.
void expect_every_command_refuses(const ServerProcess& server, const std::string& message) {
  for (const auto& args : kCommands) {
    SCOPED_TRACE(args[0] + " " + args[1]);
    const auto err = refusal(server, args);
    EXPECT_NE(err.find(message), std::string::npos) << err;
  }
}

TEST(CliSelectedDatabase, NothingSelectedSaysHowToSelect) {
  ServerProcess server;
  expect_every_command_refuses(
      server, "no database selected: run setup first (POST /api/db/setup) or set DB_TYPE");
  EXPECT_FALSE(fs::exists(server.dir() / "persistent_data" / "database")) << "nothing was created";
}

TEST(CliSelectedDatabase, AnInvalidSelectionFileIsNamed) {
  ServerProcess server(ServerProcess::Env{{"DB_TYPE", "sqlite"}});
  fs::create_directories(server.selection_file().parent_path());
  std::ofstream(server.selection_file()) << "{not json";
  expect_every_command_refuses(server,
                               "selection file persistent_data/db.selection.json is invalid: it is "
                               "not a JSON object. Fix or remove it");
}

TEST(CliSelectedDatabase, ASelectedDatabaseWithoutItsVariablesNamesThem) {
  ServerProcess server(ServerProcess::Env{{"DB_TYPE", "turso"}});
  expect_every_command_refuses(
      server, "Turso configuration incomplete. Required: TURSO_DATABASE_URL, TURSO_AUTH_TOKEN");
}

}  // namespace
}  // namespace ds::test
