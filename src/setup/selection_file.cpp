#include "setup/selection_file.hpp"

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace ds::setup {

SelectionRead read_selection(const std::filesystem::path& file) {
  SelectionRead out;
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (status.type() == std::filesystem::file_type::not_found) return out;
  out.state = SelectionRead::State::invalid;
  if (ec || !std::filesystem::is_regular_file(status)) {
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
  if (type == json.end() || !type->is_string() || (*type != "sqlite" && *type != "turso")) {
    out.reason = "\"type\" must be \"sqlite\" or \"turso\"";
    return out;
  }
  out.selection.type = type->get<std::string>();
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
  nlohmann::ordered_json json = {
      {"type", selection.type}, {"selectedAt", selection.selected_at}, {"version", selection.version}};
  if (selection.sqlite_path) json["sqlitePath"] = *selection.sqlite_path;
  write_file_atomically(file, json.dump(2) + "\n", 0644);
}

}  // namespace ds::setup
