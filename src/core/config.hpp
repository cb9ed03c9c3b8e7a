#pragma once
// Everything the server reads from its environment, read once at start.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/env.hpp"
#include "core/secret.hpp"

namespace ds {

struct Config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;  // 0 asks the OS for a free port (tests use it)
  std::filesystem::path data_dir = "persistent_data";
  std::filesystem::path sqlite_path = "persistent_data/database/deploystack.db";
  std::optional<std::string> db_type;  // DB_TYPE: the fallback when there is no selection file
  std::optional<std::string> turso_url;
  std::optional<Secret> turso_token;
  std::optional<Secret> setup_token;
  std::string log_level = "info";

  std::filesystem::path selection_file() const { return data_dir / "db.selection.json"; }

  // Throws ds::Error(validation) naming the variable for a value that cannot be used.
  static Config from_env(const Env& env);
};

}  // namespace ds
