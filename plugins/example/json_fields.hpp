#pragma once
// Reading and writing the JSON fields of a note, shared by example_plugin.cpp and each schema
// version's notes.hpp. A field of the wrong type answers 400 naming the field. Each rule has
// its JSON Schema beside it, for the routes' documentation (GET /documentation/json): what
// the handler checks and what the document says change together.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/errors.hpp"

namespace example {

// A nullable column's value in a response: the text, or null.
inline nlohmann::json text_or_null(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

// A field that must be a non-empty string.
inline std::string required_text(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw ds::http::HttpError(
        ds::http::validation_error(key, std::string(key) + " must be a non-empty string"));
  }
  return it->get<std::string>();
}
inline nlohmann::json required_text_schema() {
  return {{"type", "string"}, {"minLength", 1}};
}

// A field that may be absent, null or a string; absent and null both give nullopt (NULL).
inline std::optional<std::string> optional_text(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    throw ds::http::HttpError(
        ds::http::validation_error(key, std::string(key) + " must be a string or null"));
  }
  return it->get<std::string>();
}
inline nlohmann::json optional_text_schema() {
  return {{"type", nlohmann::json::array({"string", "null"})}};
}

}  // namespace example
