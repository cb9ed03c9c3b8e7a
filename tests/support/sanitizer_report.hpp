#pragma once
// Finding what AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer and
// ThreadSanitizer print in a child's stderr, so that a report inside a server or a CLI run
// fails the test that started it (the child's own exit status does not always show it).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ds::test {

// The first sanitizer report in `text`: from the first line that starts one up to its
// "SUMMARY:" line (at most 80 lines), or nullopt when there is none.
std::optional<std::string> find_sanitizer_report(std::string_view text);

// Fails the current test (ADD_FAILURE, so also from a destructor) when what `file` gained after
// byte `from` holds a sanitizer report; `who` names the process in the message.
void expect_no_sanitizer_report(const std::filesystem::path& file, std::uintmax_t from,
                                const std::string& who);

// The size of `file` now (0 when it does not exist): where the next run's output begins.
std::uintmax_t file_end(const std::filesystem::path& file);

// The text `file` gained after byte `from`.
std::string read_from(const std::filesystem::path& file, std::uintmax_t from);

// The value a child gets for the sanitizer variable `name`: the caller's options kept, and
// every report sent to stderr (which the tests capture and scan) whatever log_path they ask.
std::string sanitizer_options_for_child(std::string_view name);
inline constexpr const char* kSanitizerOptionVariables[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS",
                                                            "LSAN_OPTIONS", "TSAN_OPTIONS"};

}  // namespace ds::test
