#pragma once
// The process environment, with a `.env` file as a fallback: a variable set in the real
// environment always wins over the same name in the file.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace ds {

class Env {
 public:
  // Reads `dotenv_file` when it exists. A malformed line is an error naming the line.
  static Env load(const std::filesystem::path& dotenv_file = ".env");
  // An environment with exactly these values and no process environment (for tests).
  static Env from_map(std::map<std::string, std::string> values);

  // Unset and empty are the same: nullopt.
  std::optional<std::string> get(const std::string& name) const;

 private:
  bool use_process_env_ = true;
  std::map<std::string, std::string> file_;
};

// Parses the text of a `.env` file: `KEY=value`, `export KEY=value`, `#` comments, single or
// double quotes. Throws ds::Error(validation) naming the line of a malformed entry.
std::map<std::string, std::string> parse_dotenv(const std::string& text);

}  // namespace ds
