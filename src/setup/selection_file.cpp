#include "setup/selection_file.hpp"

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace ds::setup {

SelectionRead read_selection(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  SelectionRead out;
  std::error_code ec;
  // The entry itself, not what it points to: a dangling symlink (a volume not mounted yet)
  // is a selection that cannot be read, never "no selection".
  const auto entry = fs::symlink_status(file, ec);
  if (entry.type() == fs::file_type::not_found) return out;  // (ec says ENOENT or ENOTDIR)
  out.state = SelectionRead::State::invalid;
  if (ec) {
    out.reason = "it cannot be checked (" + ec.message() + ")";
    return out;
  }
  const auto target = fs::status(file, ec);
  if (fs::is_symlink(entry) && target.type() == fs::file_type::not_found) {
    out.reason =
        "it is a symbolic link to something that does not exist (a volume not mounted yet?)";
    return out;
  }
  if (ec) {
    out.reason = "it cannot be checked (" + ec.message() + ")";
    return out;
  }
  if (fs::is_directory(target)) {
    out.reason = "it is a folder, not a file";
    return out;
  }
  if (!fs::is_regular_file(target)) {
    out.reason = "it is not a regular file";
    return out;
  }
  std::string text;
  try {
    text = read_file(file);
  } catch (const Error&) {
    out.reason = "it cannot be read";
    return out;
  }
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    out.reason = "it is not a JSON object";
    return out;
  }
  const auto type = json.find("type");
  const auto parsed = type != json.end() && type->is_string()
                          ? parse_database_type(type->get_ref<const std::string&>())
                          : std::nullopt;
  if (!parsed) {
    out.reason = "\"type\" must be \"sqlite\" or \"turso\"";
    return out;
  }
  out.selection.type = *parsed;
  if (auto at = json.find("selectedAt"); at != json.end() && at->is_string()) {
    out.selection.selected_at = at->get<std::string>();
  }
  if (auto v = json.find("version"); v != json.end() && v->is_string()) {
    out.selection.version = v->get<std::string>();
  }
  if (auto p = json.find("sqlitePath"); p != json.end() && p->is_string()) {
    out.selection.sqlite_path = p->get<std::string>();
  }
  out.state = SelectionRead::State::valid;
  return out;
}

void write_selection(const std::filesystem::path& file, const Selection& selection) {
  nlohmann::ordered_json json = {{"type", to_string(selection.type)},
                                 {"selectedAt", selection.selected_at},
                                 {"version", selection.version}};
  if (selection.sqlite_path) json["sqlitePath"] = *selection.sqlite_path;
  write_file_atomically(file, json.dump(2) + "\n", 0644);
}

}  // namespace ds::setup
