// The plugin SDK as a plugin author outside this repository gets it: this build installed with
// `cmake --install` into a fresh prefix, tests/sdk/hello_plugin configured against that prefix
// (find_package(DeployStackPluginSDK) and nothing else), built with this build's compiler and
// build type (the package brings the sanitizer flags), installed as PLUGINS_PATH expects, and
// loaded by the real server, which answers its route after setup.
//
// The tools come from the build (plugin_sdk_test.cpp's compile definitions in
// tests/CMakeLists.txt); a missing or failing one fails the test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/server_process.hpp"

namespace ds::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs a build tool in `cwd` to completion; a failure names the command and shows its output.
void run_tool(const std::vector<std::string>& argv, const fs::path& cwd) {
  std::map<std::string, std::string> env;
  for (const char* name : {"PATH", "HOME", "TMPDIR"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  const fs::path log = cwd / "tool.stderr";
  fs::remove(log);
  const auto result = run_command({.argv = argv, .env = env, .cwd = cwd, .stderr_file = log}, 240s);
  std::string command;
  for (const auto& arg : argv) command += arg + " ";
  ASSERT_EQ(result.status, 0) << command << "\n" << result.out << read_file(log);
}

TEST(PluginSdkTest, AnOutOfTreePluginBuiltAgainstTheInstalledSdkServes) {
  TempDir work;
  const fs::path prefix = work / "prefix";
  const fs::path build = work / "hello-build";

  ASSERT_NO_FATAL_FAILURE(
      run_tool({DS_CMAKE_COMMAND, "--install", DS_BUILD_DIR, "--prefix", prefix}, work.path()));
  const fs::path include = prefix / "include" / "deploystack";
  EXPECT_TRUE(fs::is_regular_file(include / "plugins" / "plugin.hpp"));
  EXPECT_TRUE(fs::is_regular_file(include / "db" / "schema" / "walk.hpp"));     // sub-paths kept
  EXPECT_FALSE(fs::exists(include / "db" / "sqlite" / "sqlite_database.hpp"));  // only the list
  EXPECT_FALSE(fs::exists(include / "server"));

  ASSERT_NO_FATAL_FAILURE(
      run_tool({DS_CMAKE_COMMAND, "-S", fs::path(DS_SOURCE_DIR) / "tests" / "sdk" / "hello_plugin",
                "-B", build, "-G", DS_CMAKE_GENERATOR, "-DCMAKE_MAKE_PROGRAM=" DS_MAKE_PROGRAM,
                "-DCMAKE_CXX_COMPILER=" DS_CXX_COMPILER, "-DCMAKE_BUILD_TYPE=" DS_BUILD_TYPE,
                "-DCMAKE_PREFIX_PATH=" + prefix.string(), "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"},
               work.path()));
  // The package came from the fresh prefix, not from anywhere else on the machine.
  EXPECT_NE(read_file(build / "CMakeCache.txt")
                .find("DeployStackPluginSDK_DIR:PATH=" +
                      (prefix / "lib" / "cmake" / "DeployStackPluginSDK").string()),
            std::string::npos);
  ASSERT_NO_FATAL_FAILURE(run_tool({DS_CMAKE_COMMAND, "--build", build, "-j", "1"}, work.path()));

  ServerProcess server;  // its own folder and free port, on SQLite
  const fs::path plugins = server.dir() / "plugins";
  server.env()["PLUGINS_PATH"] = plugins.string();
  ASSERT_NO_FATAL_FAILURE(
      run_tool({DS_CMAKE_COMMAND, "--install", build, "--prefix", plugins}, work.path()));
  ASSERT_TRUE(fs::is_regular_file(plugins / "hello" / "hello.so"));
  ASSERT_TRUE(fs::is_regular_file(plugins / "hello" / "migrations" / "0000_init.sql"));

  server.start();
  EXPECT_EQ(nlohmann::json::parse(server.request("GET", "/api/plugins").body)[0]["id"], "hello")
      << server.log();
  ASSERT_EQ(server.setup_database().status, 200) << server.log();
  const auto ping = server.request("GET", "/api/plugin/hello/ping");
  ASSERT_EQ(ping.status, 200) << ping.body << "\n" << server.log();
  EXPECT_EQ(nlohmann::json::parse(ping.body),
            nlohmann::json::parse(R"({"pong":true,"greeting":"hello"})"));

  EXPECT_EQ(server.stop(), 0) << server.log();  // SIGTERM
  const auto log = server.log();
  for (const char* report : {"ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer"}) {
    EXPECT_EQ(log.find(report), std::string::npos) << log;
  }
}

}  // namespace
}  // namespace ds::test
