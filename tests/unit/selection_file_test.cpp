#include "setup/selection_file.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace ds::setup {
namespace {

using State = SelectionRead::State;

class SelectionFileTest : public ::testing::Test {
 protected:
  SelectionRead read_text(const std::string& text) {
    std::ofstream(file(), std::ios::binary) << text;
    return read_selection(file());
  }
  std::filesystem::path file() const { return dir / "db.selection.json"; }
  test::TempDir dir;
};

TEST_F(SelectionFileTest, AbsentFileIsAbsent) {
  EXPECT_EQ(read_selection(file()).state, State::absent);
  EXPECT_EQ(read_selection(dir / "no/such/folder/db.selection.json").state, State::absent);
}

TEST_F(SelectionFileTest, ValidFileIsRead) {
  const auto r = read_text(R"({"type":"sqlite","selectedAt":"2025-01-02T18:22:15.000Z","version":"1.0"})");
  ASSERT_EQ(r.state, State::valid);
  EXPECT_EQ(r.selection.type, DatabaseType::sqlite);
  EXPECT_EQ(r.selection.selected_at, "2025-01-02T18:22:15.000Z");
  EXPECT_EQ(r.selection.version, "1.0");
  EXPECT_FALSE(r.selection.sqlite_path);
}

TEST_F(SelectionFileTest, UnknownKeysAreIgnored) {
  const auto r = read_text(R"({"type":"turso","selectedAt":"x","version":"1.0","future":{"a":[1,2]},"n":3})");
  ASSERT_EQ(r.state, State::valid);
  EXPECT_EQ(r.selection.type, DatabaseType::turso);
}

TEST_F(SelectionFileTest, InvalidVariantsAreInvalidWithAReason) {
  for (const char* text : {"", "not json", "{\"type\":\"sqlite\"", "[]", "\"sqlite\"", "null", "{}",
                           R"({"type":1})", R"({"type":null})", R"({"type":"mysql"})", R"({"type":"SQLITE"})",
                           R"({"Type":"sqlite"})"}) {
    SCOPED_TRACE(text);
    const auto r = read_text(text);
    EXPECT_EQ(r.state, State::invalid);
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST_F(SelectionFileTest, AFolderInItsPlaceIsInvalid) {
  std::filesystem::create_directory(file());
  const auto r = read_selection(file());
  EXPECT_EQ(r.state, State::invalid);
  EXPECT_FALSE(r.reason.empty());
}

// Root reads a mode-0 file, so as root the read runs in a child that gave up root first
// (a user who cannot read the file): the case is checked whoever runs the tests.
TEST_F(SelectionFileTest, AnUnreadableFileIsInvalid) {
  read_text(R"({"type":"sqlite"})");
  ASSERT_EQ(::chmod(file().c_str(), 0), 0);
  const auto unreadable_is_invalid = [&] {
    const auto r = read_selection(file());
    return r.state == State::invalid && !r.reason.empty();
  };
  if (::geteuid() != 0) {
    EXPECT_TRUE(unreadable_is_invalid());
    return;
  }
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);  // the child may reach the file, not read it
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    constexpr uid_t kNobody = 65534;
    if (::setgroups(0, nullptr) != 0 || ::setresgid(kNobody, kNobody, kNobody) != 0 ||
        ::setresuid(kNobody, kNobody, kNobody) != 0)
      ::_exit(2);
    ::_exit(unreadable_is_invalid() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: not reported invalid; 2: could not give up root";
}

TEST_F(SelectionFileTest, WriteThenReadRoundTrips) {
  const auto target = dir / "persistent_data/db.selection.json";
  write_selection(target, Selection{DatabaseType::sqlite, "2025-01-02T18:22:15.000Z", "1.0",
                                    "persistent_data/database/x.db"});
  const auto json = nlohmann::json::parse(read_file(target));
  EXPECT_EQ(json.at("type"), "sqlite");
  EXPECT_EQ(json.at("selectedAt"), "2025-01-02T18:22:15.000Z");
  EXPECT_EQ(json.at("version"), "1.0");
  const auto r = read_selection(target);
  ASSERT_EQ(r.state, State::valid);
  EXPECT_EQ(r.selection.type, DatabaseType::sqlite);
  EXPECT_EQ(r.selection.sqlite_path, "persistent_data/database/x.db");
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

}  // namespace
}  // namespace ds::setup
