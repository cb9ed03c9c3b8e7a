#include "core/log.hpp"

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>

#include "core/error.hpp"
#include "core/json_string.hpp"

namespace ds {
namespace {

// pino's numeric levels (trace 10 ... fatal 60).
int pino_level(spdlog::level::level_enum level) noexcept {
  switch (level) {
    case spdlog::level::trace:
      return 10;
    case spdlog::level::debug:
      return 20;
    case spdlog::level::info:
      return 30;
    case spdlog::level::warn:
      return 40;
    case spdlog::level::err:
      return 50;
    default:
      return 60;
  }
}

bool is_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > 64) return false;
  for (const char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  }
  return key != "level" && key != "time" && key != "msg" && key != "pid" && key != "hostname";
}

bool is_integer(std::string_view v) noexcept {
  if (v.empty() || v.size() > 18) return false;
  for (std::size_t i = v.front() == '-' ? 1 : 0; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return v != "-";
}

// Text as a JSON string; bytes that are not UTF-8 (a hostile request's path ...) become '?'
// rather than making the line unreadable to the pipeline.
void append_text(std::string& out, std::string_view text) {
  if (is_valid_utf8(text)) return append_json_string(out, text);
  std::string clean(text);
  for (char& c : clean) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  append_json_string(out, clean);
}

// One JSON object per line, pino's shape: {"level":30,"time":<ms>,"pid":..,"hostname":..,
// "msg":"<the whole message>", then each `key=value` word of the message as a field (a
// number when the value is an integer), so `database=turso initialized` is searchable as
// {"database":"turso"}.
class PinoFormatter final : public spdlog::formatter {
 public:
  PinoFormatter() {
    std::array<char, 256> name{};
    hostname_ = ::gethostname(name.data(), name.size() - 1) == 0 ? name.data() : "";
  }

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::string line;
    line.reserve(text.size() * 2 + 96);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
    line += fmt::format(R"({{"level":{},"time":{},"pid":{},"hostname":)", pino_level(msg.level),
                        ms.count(), ::getpid());
    append_text(line, hostname_);
    line += R"(,"msg":)";
    append_text(line, text);
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto space = rest.find(' ');
      const std::string_view word = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
      const auto eq = word.find('=');
      if (eq == std::string_view::npos || !is_key(word.substr(0, eq))) continue;
      std::string_view value = word.substr(eq + 1);
      while (!value.empty() && (value.back() == ',' || value.back() == ';' || value.back() == ':'))
        value.remove_suffix(1);
      line += ',';
      append_text(line, word.substr(0, eq));
      line += ':';
      if (is_integer(value)) {
        line += value;
      } else {
        append_text(line, value);
      }
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<PinoFormatter>();
  }

 private:
  std::string hostname_;
};

}  // namespace

void init_logging(std::string_view level, std::string_view format) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    throw Error(Errc::validation,
                fmt::format("LOG_LEVEL must be one of trace, debug, info, warn, error, critical, off; got '{}'", level));
  }
  if (format != "text" && format != "json") {
    throw Error(Errc::validation,
                fmt::format("LOG_FORMAT must be 'text' or 'json', got '{}'", format));
  }
  auto logger = spdlog::stderr_logger_mt("deploystack");
  if (format == "json") {
    logger->set_formatter(std::make_unique<PinoFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace ds
