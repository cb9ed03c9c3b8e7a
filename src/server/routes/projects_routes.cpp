#include "server/routes/projects_routes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/json_string.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"
#include "http/errors.hpp"
#include "http/json_body.hpp"
#include "server/require_database.hpp"

namespace ds::http {
namespace {

using db::core::projects;
using Project = db::dsl::Row<db::core::Projects>;

constexpr std::int64_t kDefaultLimit = 50;
constexpr std::int64_t kMaxLimit = 500;
// Text limits, in characters (code points): they bound a page of kMaxLimit projects (about
// 9 MB at worst), which unbounded 1 MiB names let grow to hundreds of megabytes.
constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxDescription = 4096;

std::size_t characters(std::string_view utf8) noexcept {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void check_length(const char* key, const std::string& text, std::size_t max) {
  if (characters(text) > max) {
    throw HttpError(
        validation_error(key, fmt::format("{} must be at most {} characters", key, max)));
  }
}

template <class Text>
void append_optional(std::string& out, const std::optional<Text>& s) {
  if (s)
    append_json_string(out, *s);
  else
    out += "null";
}

// The wire shape: camelCase keys, ISO-8601 timestamps. For a Row and a Borrowed row alike.
template <class P>
void append_project(std::string& out, const P& p) {
  out += R"({"id":)";
  append_json_string(out, p.id);
  out += R"(,"name":)";
  append_json_string(out, p.name);
  out += R"(,"description":)";
  append_optional(out, p.description);
  out += R"(,"userId":)";
  append_optional(out, p.user_id);
  out += R"(,"createdAt":")";
  append_iso8601(out, p.created_at);
  out += R"(","updatedAt":")";
  append_iso8601(out, p.updated_at);
  out += "\"}";
}

Response project_response(int status, const Project& p) {
  std::string body;
  body.reserve(256);
  append_project(body, p);
  return Response::json(status, std::move(body));
}

Response not_found() {
  return Response::json(404, R"({"error":"Project not found"})");
}

std::int64_t paging_param(const Request& request, std::string_view name, std::int64_t fallback,
                          std::int64_t min, std::int64_t max) {
  const auto text = request.query_param(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || value < min || value > max) {
    throw HttpError(validation_error(
        name, fmt::format("{} must be an integer between {} and {}", name, min, max)));
  }
  return value;
}

// A field that may be a string or null; absent leaves `out` untouched and returns false.
bool optional_string_field(const nlohmann::json& body, const char* key,
                           std::optional<std::string>& out,
                           std::size_t max_characters = std::numeric_limits<std::size_t>::max()) {
  const auto it = body.find(key);
  if (it == body.end()) return false;
  if (it->is_null()) {
    out.reset();
  } else if (it->is_string()) {
    out = it->get<std::string>();
    check_length(key, *out, max_characters);
  } else {
    throw HttpError(validation_error(key, fmt::format("{} must be a string or null", key)));
  }
  return true;
}

std::optional<std::string> name_field(const nlohmann::json& body) {
  const auto it = body.find("name");
  if (it == body.end()) return std::nullopt;
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw HttpError(validation_error("name", "name must be a non-empty string"));
  }
  check_length("name", it->get_ref<const std::string&>(), kMaxName);
  return it->get<std::string>();
}

// The rules above as JSON Schema, for the OpenAPI document: kept beside them so both change
// together. maxLength counts code points, as characters() does.
nlohmann::json name_schema() {
  return {{"type", "string"}, {"minLength", 1}, {"maxLength", kMaxName}};
}
nlohmann::json nullable_text_schema(std::optional<std::size_t> max_characters = std::nullopt) {
  nlohmann::json out = {{"type", nlohmann::json::array({"string", "null"})}};
  if (max_characters) out["maxLength"] = *max_characters;
  return out;
}

nlohmann::json project_schema() {
  const nlohmann::json text = {{"type", "string"}};
  const nlohmann::json time = {{"type", "string"}, {"format", "date-time"}};
  return {{"type", "object"},
          {"required", {"id", "name", "description", "userId", "createdAt", "updatedAt"}},
          {"additionalProperties", false},
          {"properties",
           {{"id", text},
            {"name", text},
            {"description", nullable_text_schema()},
            {"userId", nullable_text_schema()},
            {"createdAt", time},
            {"updatedAt", time}}}};
}

nlohmann::json new_project_schema() {
  return {{"type", "object"},
          {"required", {"name"}},
          {"properties",
           {{"name", name_schema()},
            {"description", nullable_text_schema(kMaxDescription)},
            {"userId", nullable_text_schema()}}}};
}

nlohmann::json project_patch_schema() {
  return {{"type", "object"},
          {"anyOf", {{{"required", {"name"}}}, {{"required", {"description"}}}}},
          {"properties",
           {{"name", name_schema()}, {"description", nullable_text_schema(kMaxDescription)}}}};
}

std::vector<ParamDoc> paging_params() {
  return {{.name = "limit",
           .description = "Page size",
           .schema = {{"type", "integer"},
                      {"minimum", 1},
                      {"maximum", kMaxLimit},
                      {"default", kDefaultLimit}}},
          {.name = "offset",
           .description = "Projects to skip",
           .schema = {{"type", "integer"}, {"minimum", 0}, {"default", 0}}}};
}

ResponseDoc project_not_found() {
  return {404, "No project has this id", error_schema()};
}

// Runs a write and turns a constraint failure (an unknown userId) into the 409 of the spec.
template <class F>
auto constrained(F&& write) {
  try {
    return write();
  } catch (const Error& e) {
    if (e.code() != Errc::constraint) throw;
    throw HttpError(Response::json(
        409, R"({"error":"Constraint violation: userId must name an existing user"})"));
  }
}

}  // namespace

void add_projects_routes(Router& router, const setup::DatabaseManager& manager) {
  router.add(
      Method::get, "/api/projects",
      [&manager](const Request& request) {
        const auto limit = paging_param(request, "limit", kDefaultLimit, 1, kMaxLimit);
        const auto offset =
            paging_param(request, "offset", 0, 0, std::numeric_limits<std::int64_t>::max());
        const auto conn = require_database(manager);
        std::string body;
        body.reserve(64 + static_cast<std::size_t>(std::min<std::int64_t>(limit, 100)) * 220);
        body += '[';
        // Rows go straight from the driver into the answer: no row is copied.
        db::query::Db(*conn)
            .select(projects)
            .order_by(projects.created_at, projects.id)
            .limit(limit)
            .offset(offset)
            .for_each([&body](const db::dsl::Borrowed<db::core::Projects>& p) {
              if (body.size() > 1) body += ',';
              append_project(body, p);
            });
        body += ']';
        return Response::json(200, std::move(body));
      },
      Execution::reads_database,
      {.summary = "A page of projects, ordered by createdAt then id",
       .params = paging_params(),
       .responses = {{200, "The projects", {{"type", "array"}, {"items", project_schema()}}},
                     {400, "limit or offset out of range", error_schema()}},
       .needs_database = true});

  router.add(Method::post, "/api/projects",
             [&manager](const Request& request) {
               const auto body = parse_json_object(request);
               auto name = name_field(body);
               if (!name) throw HttpError(validation_error("name", "name is required"));
               std::optional<std::string> description;
               std::optional<std::string> user_id;
               optional_string_field(body, "description", description, kMaxDescription);
               optional_string_field(body, "userId", user_id);
               const auto conn = require_database(manager);
               // One instant: a new project's updatedAt equals its createdAt.
               const auto now = now_ms();
               const auto created = constrained([&] {
                 return db::query::Db(*conn)
                     .insert(projects)
                     .values({.id = uuid_v4(),
                              .name = std::move(*name),
                              .description = std::move(description),
                              .user_id = std::move(user_id),
                              .created_at = now,
                              .updated_at = now})
                     .returning()
                     .first();
               });
               if (!created) throw Error(Errc::internal, "insert returned no row");
               return project_response(201, *created);
             },
             Execution::blocking,
             {.summary = "Creates a project (the server generates its id)",
              .request_body = new_project_schema(),
              .responses = {{201, "The created project", project_schema()},
                            {409, "userId names no user", error_schema()}},
              .needs_database = true});

  router.add(
      Method::get, "/api/projects/:id",
      [&manager](const Request& request) {
        const auto conn = require_database(manager);
        const auto row =
            db::query::Db(*conn).select(projects).where(projects.id == request.param("id")).first();
        return row ? project_response(200, *row) : not_found();
      },
      Execution::reads_database,
      {.summary = "One project",
       .responses = {{200, "The project", project_schema()}, project_not_found()},
       .needs_database = true});

  router.add(
      Method::patch, "/api/projects/:id",
      [&manager](const Request& request) {
        const auto body = parse_json_object(request);
        db::dsl::Patch<db::core::Projects> patch;
        if (auto name = name_field(body)) patch.name = std::move(*name);
        std::optional<std::string> description;
        if (optional_string_field(body, "description", description, kMaxDescription))
          patch.description = std::move(description);
        if (!patch.name.present && !patch.description.present) {
          throw HttpError(validation_error("", "Provide at least one of: name, description"));
        }
        patch.updated_at = now_ms();
        const auto conn = require_database(manager);
        const auto row = db::query::Db(*conn)
                             .update(projects)
                             .set(std::move(patch))
                             .where(projects.id == request.param("id"))
                             .returning()
                             .first();
        return row ? project_response(200, *row) : not_found();
      },
      Execution::blocking,
      {.summary = "Changes a project's name or description (updatedAt moves)",
       .request_body = project_patch_schema(),
       .responses = {{200, "The updated project", project_schema()}, project_not_found()},
       .needs_database = true});

  router.add(Method::del, "/api/projects/:id",
             [&manager](const Request& request) {
               const auto conn = require_database(manager);
               const auto deleted = db::query::Db(*conn)
                                        .delete_from(projects)
                                        .where(projects.id == request.param("id"))
                                        .run();
               return deleted == 0 ? not_found() : Response::no_content();
             },
             Execution::blocking,
             {.summary = "Deletes a project",
              .responses = {{204, "Deleted", nullptr}, project_not_found()},
              .needs_database = true});
}

}  // namespace ds::http
