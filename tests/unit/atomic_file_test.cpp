#include "core/atomic_file.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "support/temp_dir.hpp"

namespace ds {
namespace {

std::vector<std::string> entries(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(AtomicFile, WritesTheContentWithTheModeAndLeavesNoTempFile) {
  test::TempDir dir;
  const auto file = dir / "secret.key";
  write_file_atomically(file, std::string("a\0b\n", 4), 0600);
  EXPECT_EQ(read_file(file), std::string("a\0b\n", 4));
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"secret.key"});
}

TEST(AtomicFile, DefaultModeIs0644) {
  test::TempDir dir;
  write_file_atomically(dir / "f.json", "{}");
  EXPECT_EQ(mode_of(dir / "f.json"), 0644u);
}

TEST(AtomicFile, ReplacesAnExistingFile) {
  test::TempDir dir;
  write_file_atomically(dir / "f", "first, and longer");
  write_file_atomically(dir / "f", "second");
  EXPECT_EQ(read_file(dir / "f"), "second");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"f"});
}

TEST(AtomicFile, CreatesMissingParentFolders) {
  test::TempDir dir;
  const auto file = dir / "a/b/c/f.txt";
  write_file_atomically(file, "x");
  EXPECT_EQ(read_file(file), "x");
}

TEST(AtomicFile, FailureIsAnIoErrorAndLeavesNoTempFile) {
  test::TempDir dir;
  std::filesystem::create_directory(dir / "taken");
  std::filesystem::create_directory(dir / "taken/child");  // rename onto a non-empty folder fails
  try {
    write_file_atomically(dir / "taken", "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_NE(std::string(e.what()).find("taken"), std::string::npos);
  }
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"taken"});
}

TEST(AtomicFile, AParentThatIsAFileIsAnIoError) {
  test::TempDir dir;
  write_file_atomically(dir / "plain", "x");
  try {
    write_file_atomically(dir / "plain/inside", "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
  }
}

TEST(AtomicFile, ReadingAMissingFileIsAnIoError) {
  test::TempDir dir;
  try {
    read_file(dir / "absent");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_NE(std::string(e.what()).find("absent"), std::string::npos);
  }
}

// A full disk is its own code with what to do, whichever file operation met it.
TEST(SystemErrors, NoSpaceAndQuotaAreStorageFullAndSayWhatToDo) {
  for (const int err : {ENOSPC, EDQUOT}) {
    try {
      throw_errno(err, "cannot write /data/x");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::storage_full);
      EXPECT_EQ(e.native_code(), err);
      EXPECT_EQ(std::string(e.what()),
                fmt::format("cannot write /data/x: {} ({})", std::strerror(err), kStorageFullHint));
    }
  }
  EXPECT_EQ(errc_from_errno(EIO), Errc::io);
  EXPECT_EQ(errc_from_errno(EACCES), Errc::io);
}

// The two halves for a file another writer fills (a SQLite backup): an empty 0600 temp file
// beside the target, in a folder created when missing, then one rename onto the target.
TEST(AtomicFile, TempBesideThenCommitReplacesTheTarget) {
  test::TempDir dir;
  const auto target = dir / "sub" / "copy.db";
  const auto tmp = create_temp_beside(target);
  EXPECT_EQ(tmp.parent_path(), target.parent_path());
  EXPECT_TRUE(tmp.filename().string().starts_with(".copy.db.tmp-")) << tmp;
  EXPECT_EQ(std::filesystem::file_size(tmp), 0u);
  EXPECT_EQ(mode_of(tmp), 0600u);
  EXPECT_FALSE(std::filesystem::exists(target));
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("new", f);
    std::fclose(f);
  }
  write_file_atomically(target, "old");
  commit_file(tmp, target);
  EXPECT_EQ(read_file(target), "new");
  EXPECT_EQ(entries(target.parent_path()), std::vector<std::string>{"copy.db"});
}

TEST(AtomicFile, CommitOfAMissingTempNamesItAndLeavesTheTarget) {
  test::TempDir dir;
  write_file_atomically(dir / "t", "kept");
  try {
    commit_file(dir / "missing", dir / "t");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(dir / "t"), "kept");
}

}  // namespace
}  // namespace ds
