#include "support/sanitizer_report.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ds::test {
namespace {

// Lines that open a report. UBSan's has no banner, only "<file>:<line>:<col>: runtime error:".
constexpr std::array<std::string_view, 7> kReportStarts = {
    "ERROR: AddressSanitizer",          "ERROR: LeakSanitizer",   "WARNING: ThreadSanitizer",
    "ERROR: ThreadSanitizer",           "FATAL: ThreadSanitizer", "runtime error: ",
    "ERROR: UndefinedBehaviorSanitizer"};

bool starts_report(std::string_view line) {
  for (const auto marker : kReportStarts) {
    if (line.find(marker) != std::string_view::npos) return true;
  }
  // Every sanitizer ends its report with "SUMMARY: <Name>Sanitizer: ..."; alone it still counts.
  const auto summary = line.find("SUMMARY: ");
  return summary != std::string_view::npos &&
         line.find("Sanitizer", summary) != std::string_view::npos;
}

bool is_summary(std::string_view line) {
  return line.find("SUMMARY: ") != std::string_view::npos;
}

}  // namespace

std::optional<std::string> find_sanitizer_report(std::string_view text) {
  constexpr int kMaxLines = 80;
  std::optional<std::string> report;
  int lines = 0;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(start, end - start);
    start = end + 1;
    if (!report) {
      if (!starts_report(line)) continue;
      report.emplace();
    }
    report->append(line).append("\n");
    if (is_summary(line) || ++lines >= kMaxLines) break;
  }
  return report;
}

void expect_no_sanitizer_report(const std::filesystem::path& file, std::uintmax_t from,
                                const std::string& who) {
  if (const auto report = find_sanitizer_report(read_from(file, from))) {
    ADD_FAILURE() << who << " printed a sanitizer report (in " << file.string() << "):\n"
                  << *report;
  }
}

std::uintmax_t file_end(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  return ec ? 0 : size;
}

std::string read_from(const std::filesystem::path& file, std::uintmax_t from) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(from));
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string sanitizer_options_for_child(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  std::string options = value ? value : "";
  // The last setting of an option wins, so this overrides a log_path given by the caller.
  if (!options.empty()) options += ':';
  return options + "log_path=stderr";
}

}  // namespace ds::test
