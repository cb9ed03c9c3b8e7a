#include "support/json_schema_check.hpp"

#include <regex>
#include <set>

namespace ds::test {
namespace {

// Read by a person or a viewer, not checked.
const std::set<std::string> kAnnotations = {"description", "title", "default", "format",
                                            "examples"};

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool has_type(const nlohmann::json& v, const std::string& type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_boolean();
  if (type == "string") return v.is_string();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    return v.is_number_integer() ||
           (v.is_number_float() && v.get<double>() == static_cast<double>(v.get<std::int64_t>()));
  }
  return false;
}

class Checker {
 public:
  explicit Checker(const nlohmann::json& document) : document_(document) {}

  void check(const nlohmann::json& v, const nlohmann::json& s, const std::string& at) {
    if (!s.is_object()) {
      problems.push_back(at + ": the schema is not an object");
      return;
    }
    for (const auto& [key, arg] : s.items()) {
      if (kAnnotations.contains(key)) continue;
      keyword(v, key, arg, s, at);
    }
  }

  std::vector<std::string> problems;

 private:
  bool passes(const nlohmann::json& v, const nlohmann::json& s, const std::string& at) {
    Checker sub(document_);
    sub.check(v, s, at);
    return sub.problems.empty();
  }

  // `schema`: the object holding `key` (additionalProperties reads its properties).
  void keyword(const nlohmann::json& v, const std::string& key, const nlohmann::json& arg,
               const nlohmann::json& schema, const std::string& at) {
    const auto fail = [&](const std::string& why) { problems.push_back(at + ": " + why); };
    if (key == "$ref") {
      const std::string ref = arg.get<std::string>();
      if (!ref.starts_with("#/")) return fail("unsupported $ref " + ref);
      const nlohmann::json::json_pointer pointer(ref.substr(1));
      if (!document_.contains(pointer)) return fail("$ref to nothing: " + ref);
      check(v, document_.at(pointer), at);
    } else if (key == "type") {
      bool ok = false;
      if (arg.is_string()) ok = has_type(v, arg.get<std::string>());
      for (const auto& t : arg.is_array() ? arg : nlohmann::json::array()) {
        ok = ok || has_type(v, t.get<std::string>());
      }
      if (!ok) fail("not of type " + arg.dump() + ": " + v.dump());
    } else if (key == "properties") {
      if (!v.is_object()) return;
      for (const auto& [name, sub] : arg.items()) {
        if (v.contains(name)) check(v.at(name), sub, at + "/" + name);
      }
    } else if (key == "required") {
      if (!v.is_object()) return;
      for (const auto& name : arg) {
        if (!v.contains(name.get<std::string>())) fail("lacks required " + name.dump());
      }
    } else if (key == "additionalProperties") {
      if (!v.is_object() || arg != false) return;
      const auto known = schema.value("properties", nlohmann::json::object());
      for (const auto& [name, unused] : v.items()) {
        if (!known.contains(name)) fail("has unexpected " + name);
      }
    } else if (key == "items") {
      if (!v.is_array()) return;
      for (std::size_t i = 0; i < v.size(); ++i) check(v[i], arg, at + "/" + std::to_string(i));
    } else if (key == "enum") {
      bool found = false;
      for (const auto& e : arg) found = found || e == v;
      if (!found) fail(v.dump() + " is not one of " + arg.dump());
    } else if (key == "const") {
      if (v != arg) fail(v.dump() + " is not " + arg.dump());
    } else if (key == "anyOf" || key == "oneOf") {
      int passing = 0;
      for (const auto& sub : arg) passing += passes(v, sub, at) ? 1 : 0;
      if (passing == 0) fail("matches none of " + key);
      if (key == "oneOf" && passing > 1) fail("matches more than one of oneOf");
    } else if (key == "not") {
      if (passes(v, arg, at)) fail("matches the schema of not: " + arg.dump());
    } else if (key == "minLength" || key == "maxLength") {
      if (!v.is_string()) return;
      const auto n = code_points(v.get<std::string>());
      if (key == "minLength" ? n < arg.get<std::size_t>() : n > arg.get<std::size_t>())
        fail(key + " " + arg.dump() + " broken");
    } else if (key == "minimum" || key == "maximum") {
      if (!v.is_number()) return;
      const double x = v.get<double>();
      if (key == "minimum" ? x < arg.get<double>() : x > arg.get<double>())
        fail(key + " " + arg.dump() + " broken by " + v.dump());
    } else if (key == "minItems") {
      if (v.is_array() && v.size() < arg.get<std::size_t>()) fail("fewer items than minItems");
    } else if (key == "pattern") {
      if (v.is_string() &&
          !std::regex_search(v.get<std::string>(), std::regex(arg.get<std::string>())))
        fail(v.dump() + " does not match " + arg.dump());
    } else {
      fail("the check does not know the keyword " + key);
    }
  }

 private:
  const nlohmann::json& document_;
};

}  // namespace

std::vector<std::string> schema_problems(const nlohmann::json& value, const nlohmann::json& schema,
                                         const nlohmann::json& document) {
  Checker checker(document);
  checker.check(value, schema, "");
  return checker.problems;
}

}  // namespace ds::test
