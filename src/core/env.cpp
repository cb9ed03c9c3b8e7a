#include "core/env.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace ds {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return !(name.front() >= '0' && name.front() <= '9');
}

}  // namespace

std::map<std::string, std::string> parse_dotenv(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    const auto eq = line.find('=');
    const std::string_view name = eq == std::string_view::npos ? line : trim(line.substr(0, eq));
    if (eq == std::string_view::npos || !valid_name(name)) {
      throw Error(Errc::validation, fmt::format(".env line {}: expected NAME=value", line_no));
    }
    std::string_view value = trim(line.substr(eq + 1));
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      const char quote = value.front();
      const auto end = value.find(quote, 1);
      if (end == std::string_view::npos) {
        throw Error(Errc::validation, fmt::format(".env line {}: unterminated quote", line_no));
      }
      value = value.substr(1, end - 1);
    } else if (const auto hash = value.find(" #"); hash != std::string_view::npos) {
      value = trim(value.substr(0, hash));
    }
    out[std::string(name)] = std::string(value);
  }
  return out;
}

Env Env::load(const std::filesystem::path& dotenv_file) {
  Env env;
  std::ifstream in(dotenv_file, std::ios::binary);
  if (in) {
    std::ostringstream buf;
    buf << in.rdbuf();
    env.file_ = parse_dotenv(buf.str());
  }
  return env;
}

Env Env::from_map(std::map<std::string, std::string> values) {
  Env env;
  env.use_process_env_ = false;
  env.file_ = std::move(values);
  return env;
}

std::optional<std::string> Env::get(const std::string& name) const {
  if (use_process_env_) {
    if (const char* v = std::getenv(name.c_str()); v != nullptr && *v != '\0') return std::string(v);
  }
  if (auto it = file_.find(name); it != file_.end() && !it->second.empty()) return it->second;
  return std::nullopt;
}

}  // namespace ds
