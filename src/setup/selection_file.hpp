#pragma once
// persistent_data/db.selection.json: which database type this installation uses.
#include <filesystem>
#include <optional>
#include <string>

#include "core/database_type.hpp"

namespace ds::setup {

struct Selection {
  DatabaseType type = DatabaseType::sqlite;
  std::string selected_at;  // ISO-8601
  std::string version = "1.0";
  std::optional<std::string> sqlite_path;  // informational: the file set up
};

struct SelectionRead {
  enum class State { absent, valid, invalid } state = State::absent;
  Selection selection;  // when valid
  std::string reason;   // when invalid: what is wrong, for the operator
};

// Never throws. Absent only when there is no directory entry at all: anything there that is
// not a readable, well-formed file (a dangling symlink, a folder, a loop) is State::invalid
// with a reason, so the server never replaces it.
SelectionRead read_selection(const std::filesystem::path& file);

// Atomic (see write_file_atomically). Throws ds::Error(io).
void write_selection(const std::filesystem::path& file, const Selection& selection);

}  // namespace ds::setup
