#include "server/routes/settings_routes.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/time.hpp"
#include "http/errors.hpp"
#include "http/json_body.hpp"
#include "server/require_admin.hpp"
#include "server/require_database.hpp"
#include "settings/setting_value.hpp"

namespace ds::http {
namespace {

using nlohmann::ordered_json;
using settings::SecretState;
using settings::SettingRow;
using settings::SettingsService;
using settings::SettingType;

constexpr std::string_view kMask = "********";
constexpr std::array<std::string_view, 6> kReserved = {"groups", "group",      "search",
                                                       "bulk",   "categories", "health"};

Response ok(int status, ordered_json data) {
  return Response::json(status, ordered_json{{"success", true}, {"data", std::move(data)}}.dump());
}

Response failure(int status, std::string_view error, ordered_json details = nullptr) {
  ordered_json body{{"success", false}, {"error", error}};
  if (!details.is_null()) body["details"] = std::move(details);
  return Response::json(status, body.dump());
}

// The details say why: no key at all, or a key that does not match the stored secrets.
Response key_unavailable(const settings::KeyManager& keys) {
  return failure(503, settings::kKeyUnavailable, keys.unavailable_details());
}
Response decrypt_failed(std::string_view key) {
  return failure(500, settings::kDecryptFailed, key);
}
Response not_found() {
  return failure(404, "Setting not found");
}

std::string iso(std::chrono::sys_seconds t) {
  return to_iso8601(TimePoint(t));
}

ordered_json nullable(const std::optional<std::string>& s) {
  return s ? ordered_json(*s) : ordered_json(nullptr);
}

SettingType type_of(const SettingRow& row) {
  return settings::parse_setting_type(row.type).value_or(SettingType::string);
}

// A setting on the wire; an encrypted value is masked unless `plaintext` is given.
ordered_json setting_json(const SettingRow& row, const std::string* plaintext = nullptr) {
  ordered_json value;
  if (!row.is_encrypted)
    value = settings::json_from_text(type_of(row), row.value);
  else if (plaintext)
    value = settings::json_from_text(type_of(row), *plaintext);
  else
    value = kMask;
  return {{"key", row.key},
          {"name", nullable(row.name)},
          {"value", std::move(value)},
          {"type", row.type},
          {"description", nullable(row.description)},
          {"is_encrypted", row.is_encrypted},
          {"group_id", nullable(row.group_id)},
          {"created_at", iso(row.created_at)},
          {"updated_at", iso(row.updated_at)}};
}

ordered_json settings_json(const std::vector<SettingRow>& rows) {
  ordered_json out = ordered_json::array();
  for (const auto& r : rows) out.push_back(setting_json(r));
  return out;
}

ordered_json group_json(const settings::GroupRow& g, ordered_json settings) {
  return {{"id", g.id},
          {"name", g.name},
          {"description", nullable(g.description)},
          {"icon", nullable(g.icon)},
          {"sort_order", g.sort_order},
          {"settings", std::move(settings)}};
}

bool is_reserved(std::string_view key) {
  for (auto r : kReserved) {
    if (r == key) return true;
  }
  return false;
}

[[noreturn]] void invalid(std::string_view path, std::string_view message) {
  throw HttpError(validation_error(path, message));
}

// A key from the path or a body: the wire rule, and not one of the route names.
std::string checked_key(std::string_view key, std::string_view path) {
  if (!settings::is_valid_key(key))
    invalid(path, "key must match " + std::string(settings::kKeyPattern));
  if (is_reserved(key)) invalid(path, "'" + std::string(key) + "' is a reserved key");
  return std::string(key);
}

std::optional<std::optional<std::string>> optional_text(const nlohmann::json& body,
                                                        const char* field) {
  const auto it = body.find(field);
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) invalid(field, std::string(field) + " must be a string or null");
  return it->get<std::string>();
}

std::optional<bool> optional_bool(const nlohmann::json& body, const char* field) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) invalid(field, std::string(field) + " must be a boolean");
  return it->get<bool>();
}

std::string typed_value(const nlohmann::json& body, SettingType type) {
  const auto it = body.find("value");
  if (it == body.end()) invalid("value", "value is required");
  auto text = settings::text_from_json(type, *it);
  if (!text) invalid("value", "value must be a " + std::string(to_string(type)));
  return std::move(*text);
}

// A create item (POST /api/settings and each bulk item). Throws HttpError(400).
settings::NewSetting parse_new_setting(const nlohmann::json& body) {
  settings::NewSetting s;
  const auto key = body.find("key");
  if (key == body.end() || !key->is_string())
    invalid("key", "key is required and must be a string");
  s.key = checked_key(key->get<std::string>(), "key");
  const auto type = body.find("type");
  if (type == body.end() || !type->is_string())
    invalid("type", "type must be one of: string, number, boolean");
  const auto parsed = settings::parse_setting_type(type->get<std::string>());
  if (!parsed) invalid("type", "type must be one of: string, number, boolean");
  s.type = *parsed;
  s.value = typed_value(body, s.type);
  if (auto v = optional_text(body, "name")) s.name = *v;
  if (auto v = optional_text(body, "description")) s.description = *v;
  if (auto v = optional_text(body, "group_id")) s.group_id = *v;
  s.encrypted = optional_bool(body, "encrypted").value_or(false);
  return s;
}

// The rules above as JSON Schema, for the OpenAPI document: kept beside them so both change
// together.
nlohmann::json key_schema() {
  nlohmann::json reserved = nlohmann::json::array();
  for (auto r : kReserved) reserved.push_back(r);
  return {{"type", "string"}, {"pattern", settings::kKeyPattern}, {"not", {{"enum", reserved}}}};
}
nlohmann::json nullable_text() {
  return {{"type", nlohmann::json::array({"string", "null"})}};
}
nlohmann::json setting_type_schema() {
  return {{"enum",
           {to_string(SettingType::string), to_string(SettingType::number),
            to_string(SettingType::boolean)}}};
}
// Typed by `type`; a secret's is the mask unless revealed.
nlohmann::json value_schema() {
  return {{"type", {"string", "number", "boolean"}}};
}

nlohmann::json setting_schema() {
  const nlohmann::json time = {{"type", "string"}, {"format", "date-time"}};
  return {{"type", "object"},
          {"required",
           {"key", "name", "value", "type", "description", "is_encrypted", "group_id", "created_at",
            "updated_at"}},
          {"properties",
           {{"key", {{"type", "string"}}},
            {"name", nullable_text()},
            {"value", value_schema()},
            {"type", setting_type_schema()},
            {"description", nullable_text()},
            {"is_encrypted", {{"type", "boolean"}}},
            {"group_id", nullable_text()},
            {"created_at", time},
            {"updated_at", time}}}};
}

// What parse_new_setting accepts.
nlohmann::json new_setting_schema() {
  return {{"type", "object"},
          {"required", {"key", "value", "type"}},
          {"properties",
           {{"key", key_schema()},
            {"value", value_schema()},
            {"type", setting_type_schema()},
            {"name", nullable_text()},
            {"description", nullable_text()},
            {"group_id", nullable_text()},
            {"encrypted", {{"type", nlohmann::json::array({"boolean", "null"})}}}}}};
}

// What parse_change accepts (the value is checked against the stored type).
nlohmann::json setting_change_schema() {
  nlohmann::json any_of = nlohmann::json::array();
  for (const char* field : {"value", "description", "encrypted", "group_id"})
    any_of.push_back({{"required", {field}}});
  return {{"type", "object"},
          {"anyOf", std::move(any_of)},
          {"properties",
           {{"value", value_schema()},
            {"description", nullable_text()},
            {"encrypted", {{"type", nlohmann::json::array({"boolean", "null"})}}},
            {"group_id", nullable_text()}}}};
}

nlohmann::json ok_schema(nlohmann::json data) {
  return {{"type", "object"},
          {"required", nlohmann::json::array({"success", "data"})},
          {"properties", {{"success", {{"const", true}}}, {"data", std::move(data)}}}};
}

nlohmann::json group_schema(bool with_settings = true) {
  nlohmann::json out = {{"type", "object"},
                        {"required", {"id", "name", "description", "icon", "sort_order"}},
                        {"properties",
                         {{"id", {{"type", "string"}}},
                          {"name", {{"type", "string"}}},
                          {"description", nullable_text()},
                          {"icon", nullable_text()},
                          {"sort_order", {{"type", "integer"}}}}}};
  if (with_settings) {
    out["required"].push_back("settings");
    out["properties"]["settings"] = {{"type", "array"}, {"items", setting_schema()}};
  }
  return out;
}

nlohmann::json bulk_result_schema() {
  const nlohmann::json keys = {{"type", "array"}, {"items", {{"type", "string"}}}};
  return {
      {"type", "object"},
      {"required", {"success", "data", "errors"}},
      {"properties",
       {{"success", {{"type", "boolean"}}},
        {"data",
         {{"type", "object"},
          {"required", nlohmann::json::array({"created", "updated"})},
          {"properties", {{"created", keys}, {"updated", keys}}}}},
        {"errors",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"required", nlohmann::json::array({"key", "error"})},
            {"properties", {{"key", {{"type", "string"}}}, {"error", {{"type", "string"}}}}}}}}}}}};
}

ParamDoc key_param() {
  return {.name = "key", .in = ParamDoc::In::path, .schema = key_schema()};
}

ResponseDoc setting_not_found() {
  return {404, "No setting has this key", error_schema()};
}

// A secret's value cannot be read or written.
std::vector<ResponseDoc> secret_errors() {
  return {{500, "A stored secret failed authentication (wrong key, tampered)", error_schema()},
          {503, "Encrypted settings are unavailable (no key)", error_schema()}};
}

template <class... More>
std::vector<ResponseDoc> responses(ResponseDoc first, More... more) {
  return {std::move(first), std::move(more)...};
}

class SettingsRoutes {
 public:
  SettingsRoutes(const setup::DatabaseManager& manager, SettingsService& service,
                 const Config& config)
      : manager_(manager), service_(service), config_(config) {}

  // Every settings route checks the admin token before anything else about the request.
  template <class F>
  Handler admin(F f) const {
    return [this, f](const Request& request) {
      require_admin(request, config_, "Settings API");
      return (this->*f)(request);
    };
  }

  Response list(const Request&) const {
    auto db = require_database(manager_);
    return ok(200, settings_json(service_.list(*db)));
  }

  Response get(const Request& request) const {
    const auto key = checked_key(request.param("key"), "key");
    const bool reveal = request.query_param("reveal") == "true";
    auto db = require_database(manager_);
    const auto row = service_.find(*db, key);
    if (!row) return not_found();
    if (!reveal || !row->is_encrypted) return ok(200, setting_json(*row));
    const auto revealed = service_.reveal(*row);
    if (revealed.state == SecretState::key_unavailable) return key_unavailable(service_.keys());
    if (revealed.state == SecretState::decrypt_failed) return decrypt_failed(row->key);
    return ok(200, setting_json(*row, &revealed.plaintext));
  }

  Response create(const Request& request) const {
    const auto body = parse_json_object(request);
    const auto s = parse_new_setting(body);
    auto db = require_database(manager_);
    if (s.encrypted && !service_.keys().cipher()) return key_unavailable(service_.keys());
    const auto row = service_.create(*db, s);
    if (!row) return failure(409, "Setting already exists", s.key);
    return ok(201, setting_json(*row));
  }

  // The change a PUT body asks for; the value is checked against `type` once it is known.
  static settings::SettingChange parse_change(const nlohmann::json& body) {
    settings::SettingChange c;
    c.description = optional_text(body, "description");
    c.encrypted = optional_bool(body, "encrypted");
    c.group_id = optional_text(body, "group_id");
    if (!body.contains("value") && !c.description && !c.encrypted && !c.group_id) {
      invalid("", "Body must contain at least one of: value, description, encrypted, group_id");
    }
    return c;
  }

  Response update(const Request& request) const {
    const auto key = checked_key(request.param("key"), "key");
    const auto body = parse_json_object(request);
    auto change = parse_change(body);
    auto db = require_database(manager_);
    const auto current = service_.find(*db, key);
    if (!current) return not_found();
    if (body.contains("value")) change.value = typed_value(body, type_of(*current));
    if (auto r = secret_problem(*db, key, *current, change)) return *r;
    const auto row = service_.update(*db, key, change);
    if (!row) return not_found();
    return ok(200, setting_json(*row));
  }

  // The secret problems of an update, as responses; nullopt when it can go ahead.
  std::optional<Response> secret_problem(db::Connection&, std::string_view key,
                                         const SettingRow& current,
                                         const settings::SettingChange& change) const {
    const bool encrypt = change.encrypted.value_or(current.is_encrypted);
    const bool needs_key = (encrypt && (change.value || !current.is_encrypted)) ||
                           (current.is_encrypted && !encrypt && !change.value);
    if (!needs_key) return std::nullopt;
    if (!service_.keys().cipher()) return key_unavailable(service_.keys());
    if (current.is_encrypted && !encrypt && !change.value &&
        service_.reveal(current).state == SecretState::decrypt_failed) {
      return decrypt_failed(key);
    }
    return std::nullopt;
  }

  Response remove(const Request& request) const {
    const auto key = checked_key(request.param("key"), "key");
    auto db = require_database(manager_);
    if (!service_.remove(*db, key)) return not_found();
    return ok(200, ordered_json{{"key", key}});
  }

  Response search(const Request& request) const {
    const auto body = parse_json_object(request);
    const auto pattern = body.find("pattern");
    if (pattern == body.end() || !pattern->is_string())
      invalid("pattern", "pattern must be a string");
    auto db = require_database(manager_);
    return ok(200, settings_json(service_.search(*db, pattern->get<std::string>())));
  }

  Response bulk(const Request& request) const {
    const auto body = parse_json_object(request);
    const auto items = body.find("settings");
    if (items == body.end() || !items->is_array() || items->empty()) {
      invalid("settings", "settings must be a non-empty array");
    }
    auto db = require_database(manager_);
    ordered_json created = ordered_json::array();
    ordered_json updated = ordered_json::array();
    ordered_json errors = ordered_json::array();
    for (const auto& item : *items) {
      const std::string key = item.is_object() && item.contains("key") && item["key"].is_string()
                                  ? item["key"].get<std::string>()
                                  : "";
      try {
        if (!item.is_object()) invalid("", "each item must be an object");
        bulk_item(*db, parse_new_setting(item), item, created, updated);
      } catch (const HttpError& e) {
        errors.push_back({{"key", key}, {"error", error_text(e.response())}});
      } catch (const Error& e) {
        errors.push_back({{"key", key}, {"error", e.what()}});
      }
    }
    const int status = errors.empty() ? 200 : (created.empty() && updated.empty() ? 400 : 207);
    ordered_json out{{"success", status != 400},
                     {"data", {{"created", std::move(created)}, {"updated", std::move(updated)}}},
                     {"errors", std::move(errors)}};
    return Response::json(status, out.dump());
  }

  void bulk_item(db::Connection& db, const settings::NewSetting& s, const nlohmann::json& item,
                 ordered_json& created, ordered_json& updated) const {
    const auto current = service_.find(db, s.key);
    if (!current) {
      if (s.encrypted && !service_.keys().cipher())
        throw HttpError(key_unavailable(service_.keys()));
      if (!service_.create(db, s)) throw Error(Errc::conflict, "Setting already exists");
      created.push_back(s.key);
      return;
    }
    settings::SettingChange c;
    c.value = s.value;
    c.type = s.type;
    if (item.contains("description")) c.description = s.description;
    if (item.contains("group_id")) c.group_id = s.group_id;
    c.encrypted = optional_bool(item, "encrypted");
    if (auto r = secret_problem(db, s.key, *current, c)) throw HttpError(std::move(*r));
    if (!service_.update(db, s.key, c)) throw Error(Errc::not_found, "Setting not found");
    updated.push_back(s.key);
  }

  // The readable reason inside an error response (for a bulk item's `error`).
  static std::string error_text(const Response& r) {
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("details") && j["details"].is_array() &&
        !j["details"].empty()) {
      return j["details"][0].value("message", "invalid");
    }
    if (j.is_object() && j.contains("error") && j["error"].is_string())
      return j["error"].get<std::string>();
    return "invalid";
  }

  Response groups(const Request&) const {
    auto db = require_database(manager_);
    auto all = service_.list(*db);
    ordered_json out = ordered_json::array();
    for (const auto& g : service_.groups(*db)) {
      ordered_json members = ordered_json::array();
      for (const auto& s : all) {
        if (s.group_id == g.id) members.push_back(setting_json(s));
      }
      out.push_back(group_json(g, std::move(members)));
    }
    return ok(200, std::move(out));
  }

  Response group(const Request& request) const {
    const auto id = request.param("groupId");
    auto db = require_database(manager_);
    const auto g = service_.group(*db, id);
    if (!g) return failure(404, "Group not found");
    return ok(200, group_json(*g, settings_json(service_.in_group(*db, id))));
  }

  Response categories(const Request&) const {
    auto db = require_database(manager_);
    return ok(200, service_.categories(*db));
  }

  Response health(const Request&) const {
    const auto db = manager_.database();
    return ok(200, ordered_json{{"encryption_working", service_.encryption_working(db.get())},
                                {"timestamp", to_iso8601(now_ms())}});
  }

 private:
  const setup::DatabaseManager& manager_;
  SettingsService& service_;
  const Config& config_;
};

}  // namespace

void add_settings_routes(Router& router, const setup::DatabaseManager& manager,
                         settings::SettingsService& service, const Config& config) {
  // Owned by the handlers (copies of one shared_ptr); the router outlives no handler.
  auto routes = std::make_shared<SettingsRoutes>(manager, service, config);
  // Every settings route is an admin route on the database (but health, which reports without).
  auto add = [&](Method m, std::string_view pattern,
                 Response (SettingsRoutes::*f)(const Request&) const, RouteDoc doc,
                 Execution execution = Execution::blocking) {
    doc.admin = true;
    doc.needs_database = f != &SettingsRoutes::health;
    router.add(
        m, pattern, [routes, h = routes->admin(f)](const Request& r) { return h(r); }, execution,
        std::move(doc));
  };
  const auto list = [](nlohmann::json items) {
    return nlohmann::json{{"type", "array"}, {"items", std::move(items)}};
  };
  auto with_secrets = [](std::vector<ResponseDoc> r) {
    for (auto& e : secret_errors()) r.push_back(std::move(e));
    return r;
  };
  constexpr auto read = Execution::reads_database;
  // Literal paths first: the router takes the first pattern that matches.
  add(Method::get, "/api/settings", &SettingsRoutes::list,
      {.summary = "Every setting, secrets masked",
       .responses = responses(ResponseDoc{200, "The settings", ok_schema(list(setting_schema()))})},
      read);
  add(Method::post, "/api/settings", &SettingsRoutes::create,
      {.summary = "Creates a setting",
       .request_body = new_setting_schema(),
       .responses = with_secrets(responses(
           ResponseDoc{201, "The created setting (a secret masked)", ok_schema(setting_schema())},
           ResponseDoc{409, "A setting has this key", error_schema()}))});
  add(Method::get, "/api/settings/groups", &SettingsRoutes::groups,
      {.summary = "The groups by sort_order and name, each with its settings",
       .responses = responses(ResponseDoc{200, "The groups", ok_schema(list(group_schema()))})},
      read);
  add(Method::get, "/api/settings/categories", &SettingsRoutes::categories,
      {.summary = "The distinct group_id values of the settings",
       .responses =
           responses(ResponseDoc{200, "The group ids", ok_schema(list({{"type", "string"}}))})},
      read);
  add(Method::get, "/api/settings/health", &SettingsRoutes::health,
      {.summary = "Whether encrypted settings can be read and written",
       .responses = responses(ResponseDoc{
           200, "The encryption state",
           ok_schema({{"type", "object"},
                      {"required", nlohmann::json::array({"encryption_working", "timestamp"})},
                      {"properties",
                       {{"encryption_working", {{"type", "boolean"}}},
                        {"timestamp", {{"type", "string"}, {"format", "date-time"}}}}}})})});
  add(Method::post, "/api/settings/search", &SettingsRoutes::search,
      {.summary = "Settings whose key contains the pattern (case-insensitive, literal % and _)",
       .request_body = {{"type", "object"},
                        {"required", {"pattern"}},
                        {"properties", {{"pattern", {{"type", "string"}}}}}},
       .responses =
           responses(ResponseDoc{200, "The matching settings", ok_schema(list(setting_schema()))})},
      read);
  add(Method::post, "/api/settings/bulk", &SettingsRoutes::bulk,
      {.summary = "Creates or updates each setting of the list",
       .request_body =
           {{"type", "object"},
            {"required", {"settings"}},
            {"properties",
             {{"settings",
               {{"type", "array"}, {"minItems", 1}, {"items", new_setting_schema()}}}}}},
       .responses =
           responses(ResponseDoc{200, "Every item created or updated", bulk_result_schema()},
                     ResponseDoc{207, "Some items failed (see errors)", bulk_result_schema()},
                     ResponseDoc{400,
                                 "Every item failed, or the body is invalid",
                                 {{"anyOf", {bulk_result_schema(), error_schema()}}}})});
  add(Method::get, "/api/settings/group/:groupId", &SettingsRoutes::group,
      {.summary = "A group with its settings",
       .responses = responses(ResponseDoc{200, "The group", ok_schema(group_schema())},
                              ResponseDoc{404, "No group has this id", error_schema()})},
      read);
  add(Method::get, "/api/settings/:key", &SettingsRoutes::get,
      {.summary = "One setting; ?reveal=true gives a secret's value",
       .params = {key_param(),
                  {.name = "reveal",
                   .description = "true: a secret's value in clear (any other value: masked)"}},
       .responses = with_secrets(responses(
           ResponseDoc{200, "The setting", ok_schema(setting_schema())}, setting_not_found()))},
      read);
  add(Method::put, "/api/settings/:key", &SettingsRoutes::update,
      {.summary = "Changes a setting's value, description, encryption or group",
       .description = "An encrypted setting stays encrypted when only its value is sent.",
       .request_body = setting_change_schema(),
       .params = {key_param()},
       .responses = with_secrets(
           responses(ResponseDoc{200, "The updated setting", ok_schema(setting_schema())},
                     setting_not_found()))});
  add(Method::del, "/api/settings/:key", &SettingsRoutes::remove,
      {.summary = "Deletes a setting",
       .params = {key_param()},
       .responses =
           responses(ResponseDoc{200, "Deleted",
                                 ok_schema({{"type", "object"},
                                            {"required", {"key"}},
                                            {"properties", {{"key", {{"type", "string"}}}}}})},
                     setting_not_found())});
}

}  // namespace ds::http
