#include "setup/selection_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
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

TEST_F(SelectionFileTest, AnUnreadableFileIsInvalid) {
  read_text(R"({"type":"sqlite"})");
  ::chmod(file().c_str(), 0);
  // The one allowed skip: root reads a mode-0 file, so an unreadable file cannot exist for it.
  if (::geteuid() == 0)
    GTEST_SKIP() << "running as root: every file is readable, the case cannot exist here";
  const auto r = read_selection(file());
  EXPECT_EQ(r.state, State::invalid);
  EXPECT_FALSE(r.reason.empty());
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
