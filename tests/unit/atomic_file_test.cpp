#include "core/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

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

}  // namespace
}  // namespace ds
