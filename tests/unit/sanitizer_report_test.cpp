// The scan that turns a sanitizer report in a child's stderr into a failed test, on report
// texts captured from real ASan, LSan, UBSan and TSan runs (gcc 12), trimmed.
#include "support/sanitizer_report.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace ds::test {
namespace {

constexpr std::string_view kServerLines =
    "[2026-12-01 23:10:00.123] [info] deploystack listening on http://127.0.0.1:41234\n"
    "[2026-12-01 23:10:00.200] [error] setup failed: database is locked (try again)\n"
    "[2026-12-01 23:10:00.300] [info] migrations summary: 3 applied, SUMMARY: none pending\n";

constexpr std::string_view kAsan =
    "=================================================================\n"
    "==12420==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000024 at pc "
    "0x563dd26ba1e6 bp 0x7ffdf45183a0 sp 0x7ffdf4518398\n"
    "READ of size 4 at 0x602000000024 thread T0\n"
    "    #0 0x563dd26ba1e5 in main /tmp/heap.cpp:2\n"
    "\n"
    "SUMMARY: AddressSanitizer: heap-buffer-overflow /tmp/heap.cpp:2 in main\n"
    "Shadow bytes around the buggy address:\n"
    "  0x0c047fff7fb0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n";

constexpr std::string_view kLsan =
    "==12422==ERROR: LeakSanitizer: detected memory leaks\n"
    "\n"
    "Direct leak of 77 byte(s) in 1 object(s) allocated from:\n"
    "    #0 0x7f16df0b89cf in __interceptor_malloc asan_malloc_linux.cpp:69\n"
    "\n"
    "SUMMARY: AddressSanitizer: 77 byte(s) leaked in 1 allocation(s).\n";

constexpr std::string_view kUbsan =
    "src/http/router.cpp:4:49: runtime error: signed integer overflow: 2147483647 + 1 cannot be "
    "represented in type 'int'\n";

constexpr std::string_view kTsan =
    "==================\n"
    "WARNING: ThreadSanitizer: data race (pid=12425)\n"
    "  Read of size 4 at 0x5558de6b4094 by thread T2:\n"
    "    #0 operator() /tmp/race.cpp:3 (race+0x12b2)\n"
    "\n"
    "SUMMARY: ThreadSanitizer: data race /tmp/race.cpp:3 in operator()\n"
    "==================\n"
    "ThreadSanitizer: reported 1 warnings\n";

std::string in_log(std::string_view report) {
  return std::string(kServerLines) + std::string(report) + std::string(kServerLines);
}

TEST(SanitizerReport, AnOrdinaryServerLogHasNone) {
  EXPECT_EQ(find_sanitizer_report(kServerLines), std::nullopt);
  EXPECT_EQ(find_sanitizer_report(""), std::nullopt);
}

TEST(SanitizerReport, AddressSanitizerReportRunsFromItsErrorLineToItsSummary) {
  const auto report = find_sanitizer_report(in_log(kAsan));
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->starts_with("==12420==ERROR: AddressSanitizer: heap-buffer-overflow"));
  EXPECT_TRUE(report->ends_with(
      "SUMMARY: AddressSanitizer: heap-buffer-overflow /tmp/heap.cpp:2 in main\n"))
      << *report;
}

TEST(SanitizerReport, FindsLeaks) {
  const auto report = find_sanitizer_report(in_log(kLsan));
  ASSERT_TRUE(report);
  EXPECT_NE(report->find("Direct leak of 77 byte(s)"), std::string::npos) << *report;
}

TEST(SanitizerReport, FindsUndefinedBehaviour) {
  const auto report = find_sanitizer_report(in_log(kUbsan));
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->starts_with(kUbsan)) << *report;
}

TEST(SanitizerReport, FindsDataRaces) {
  const auto report = find_sanitizer_report(in_log(kTsan));
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->starts_with("WARNING: ThreadSanitizer: data race")) << *report;
  EXPECT_NE(report->find("SUMMARY: ThreadSanitizer: data race"), std::string::npos);
}

TEST(SanitizerReport, ALoneSummaryLineCounts) {
  EXPECT_TRUE(
      find_sanitizer_report("SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior x.cpp:1\n"));
}

TEST(SanitizerReport, ALongReportIsCutAfterEightyLines) {
  std::string text = "==1==ERROR: AddressSanitizer: stack-overflow\n";
  for (int i = 0; i < 500; ++i) text += "    #" + std::to_string(i) + " frame\n";
  const auto report = find_sanitizer_report(text);
  ASSERT_TRUE(report);
  EXPECT_EQ(std::count(report->begin(), report->end(), '\n'), 80);
}

TEST(SanitizerReport, AReportInAFileAfterTheGivenOffsetFailsTheTest) {
  TempDir dir;
  const auto log = dir / "server.log";
  std::ofstream(log) << kAsan;  // an earlier run's report: not this run's
  const auto from = file_end(log);
  EXPECT_EQ(from, kAsan.size());
  expect_no_sanitizer_report(log, from, "the server");  // nothing new: no failure
  std::ofstream(log, std::ios::app) << kServerLines << kUbsan;
  EXPECT_NONFATAL_FAILURE(expect_no_sanitizer_report(log, from, "the server"),
                          "signed integer overflow");
}

TEST(SanitizerReport, ChildrenReportToStderrWhateverLogPathTheCallerSet) {
  const char* saved = std::getenv("ASAN_OPTIONS");
  const std::string restore = saved ? saved : "";
  ::setenv("ASAN_OPTIONS", "detect_leaks=1:log_path=/tmp/elsewhere", 1);
  EXPECT_EQ(sanitizer_options_for_child("ASAN_OPTIONS"),
            "detect_leaks=1:log_path=/tmp/elsewhere:log_path=stderr");
  ::unsetenv("ASAN_OPTIONS");
  EXPECT_EQ(sanitizer_options_for_child("ASAN_OPTIONS"), "log_path=stderr");
  if (saved) ::setenv("ASAN_OPTIONS", restore.c_str(), 1);
}

}  // namespace
}  // namespace ds::test
