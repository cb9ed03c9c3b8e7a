// `kill -9` of the server at different moments of setup: afterwards there is either no
// selection file or a complete one, and a restarted server is set up or can be set up.
// The moments are picked by watching the server's files change (inotify), not by sleeping.
#include <gtest/gtest.h>
#include <sys/inotify.h>

#include <functional>

#include "core/time.hpp"
#include "setup/selection_file.hpp"
#include "support/fs_watch.hpp"
#include "support/server_process.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

struct KillPoint {
  std::string name;
  // Waits in the test until the moment to kill; the server keeps running meanwhile.
  std::function<void(ServerProcess&, FsWatch&, HttpClient&)> wait;
};

// Waits for the first change in persistent_data/ that `matches`.
std::function<void(ServerProcess&, FsWatch&, HttpClient&)> on_event(
    std::function<bool(const FsWatch::Event&)> matches) {
  return [matches](ServerProcess&, FsWatch& watch, HttpClient&) {
    while (auto event = watch.next(std::chrono::seconds(20))) {
      if (matches(*event)) return;
    }
    ADD_FAILURE() << "the awaited change did not happen";
  };
}

bool is_temp_selection(const std::string& name) { return name.starts_with(".db.selection.json.tmp"); }

std::vector<KillPoint> kill_points() {
  return {
      {"right after sending the request", [](ServerProcess&, FsWatch&, HttpClient&) {}},
      {"when the database folder appears",
       on_event([](const auto& e) { return (e.mask & IN_CREATE) && e.name == "database"; })},
      {"when the temp selection file appears",
       on_event([](const auto& e) { return (e.mask & IN_CREATE) && is_temp_selection(e.name); })},
      {"while the temp selection file is written",
       on_event([](const auto& e) { return (e.mask & IN_MODIFY) && is_temp_selection(e.name); })},
      {"when the temp selection file is closed",
       on_event([](const auto& e) { return (e.mask & IN_CLOSE_WRITE) && is_temp_selection(e.name); })},
      {"when the selection file is renamed into place",
       on_event([](const auto& e) { return (e.mask & IN_MOVED_TO) && e.name == "db.selection.json"; })},
      {"after the log says setup complete",
       [](ServerProcess& s, FsWatch&, HttpClient&) { ASSERT_TRUE(s.wait_for_log("setup complete")); }},
      {"after the response", [](ServerProcess&, FsWatch&, HttpClient& c) { EXPECT_EQ(c.read_response().status, 200); }},
  };
}

class KillDuringSetup : public ::testing::TestWithParam<int> {};

TEST_P(KillDuringSetup, LeavesNoSelectionOrACompleteOneAndRecovers) {
  const KillPoint point = kill_points().at(static_cast<std::size_t>(GetParam()));
  SCOPED_TRACE(point.name);
  ServerProcess server;
  std::filesystem::create_directories(server.dir() / "persistent_data");
  FsWatch watch(server.dir() / "persistent_data");
  server.start();

  HttpClient client("127.0.0.1", server.port());
  const std::string body = R"({"type":")" + server.database_type() + R"("})";
  client.write_raw("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
  point.wait(server, watch, client);
  server.kill9();

  const auto read = setup::read_selection(server.selection_file());
  ASSERT_NE(read.state, setup::SelectionRead::State::invalid) << read.reason;
  const bool selected = read.state == setup::SelectionRead::State::valid;
  if (selected) {
    EXPECT_EQ(to_string(read.selection.type), server.database_type());
    EXPECT_TRUE(parse_iso8601(read.selection.selected_at)) << read.selection.selected_at;
    EXPECT_EQ(read.selection.version, "1.0");
  }

  server.start();
  if (selected) {
    EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready(server.database_type()));
    EXPECT_EQ(server.setup_database().status, 409);
  } else {
    EXPECT_EQ(server.request("GET", "/api/db/status").body, kStatusBeforeSetup);
    const auto r = server.setup_database();
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready(server.database_type()));
  }
  EXPECT_EQ(server.stop(), 0);
  // And it stays set up.
  server.start();
  EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready(server.database_type()));
}

INSTANTIATE_TEST_SUITE_P(AtEachMoment, KillDuringSetup, ::testing::Range(0, 8));

// The same, many times in a row at the earliest moment: whatever state a kill leaves is
// one a restart accepts.
TEST(KillDuringSetupRepeated, EveryRunRecovers) {
  ServerProcess server;
  for (int i = 0; i < 5; ++i) {
    server.start();
    HttpClient client("127.0.0.1", server.port());
    client.write_raw("POST /api/db/setup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
                     R"({"type":"sqlite"})");
    server.kill9();
    ASSERT_NE(setup::read_selection(server.selection_file()).state, setup::SelectionRead::State::invalid);
  }
  server.start();
  const auto status = server.request("GET", "/api/db/status").body;
  if (status == kStatusBeforeSetup) {
    ASSERT_EQ(server.setup_database().status, 200);
  }
  EXPECT_EQ(server.request("GET", "/api/db/status").body, status_ready("sqlite"));
}

}  // namespace
}  // namespace ds::test
