#include "http/openapi.hpp"

#include <utility>

namespace ds::http {
namespace {

using nlohmann::ordered_json;

// The one error body: the shapes of shared/spec/api.md ("Common errors" and each route's own).
ordered_json error_component() {
  const ordered_json detail = {
      {"type", "object"},
      {"required", ordered_json::array({"path", "message"})},
      {"properties", {{"path", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}};
  return {
      {"type", "object"},
      {"description",
       "Every error body: `error` names the failure; `statusCode` and `message` come with "
       "the protocol errors (404, 405, 413, 415), `details` is free text or a list of "
       "{path, message}"},
      {"required", {"error"}},
      {"properties",
       {{"statusCode", {{"type", "integer"}}},
        {"error", {{"type", "string"}}},
        {"message", {{"type", "string"}}},
        {"success", {{"const", false}}},
        {"details", {{"oneOf", {{{"type", "string"}}, {{"type", "array"}, {"items", detail}}}}}}}}};
}

std::string_view openapi_method(Method m) {
  switch (m) {
    case Method::get:
      return "get";
    case Method::post:
      return "post";
    case Method::put:
      return "put";
    case Method::patch:
      return "patch";
    case Method::del:
      return "delete";
    case Method::head:
      return "head";
    case Method::options:
      return "options";
    case Method::other:
      break;
  }
  return {};
}

// "/api/plugin/example/notes" -> "api-plugin-example-notes"; "{id}" -> "id".
std::string operation_id(std::string_view method, const std::vector<std::string>& segments) {
  std::string out(method);
  for (const auto& seg : segments) {
    out += '-';
    out += seg.front() == ':' ? seg.substr(1) : seg;
  }
  return out;
}

// The group a route belongs to in a viewer: the plugin, the /api resource, or operations.
std::string tag_of(const std::vector<std::string>& segments) {
  if (segments.size() >= 3 && segments[0] == "api" && segments[1] == "plugin")
    return "plugin " + segments[2];
  if (segments.size() >= 2 && segments[0] == "api") return segments[1];
  return "operations";
}

ordered_json json_content(const nlohmann::json& schema,
                          std::string_view content_type = "application/json") {
  return {{content_type, {{"schema", schema}}}};
}

ordered_json response(std::string_view description, const nlohmann::json& schema,
                      std::string_view content_type = "application/json") {
  ordered_json out = {{"description", description}};
  if (!schema.is_null()) out["content"] = json_content(schema, content_type);
  return out;
}

ordered_json operation(const Router::Route& route) {
  const RouteDoc& doc = route.doc;
  ordered_json op;
  op["operationId"] = operation_id(openapi_method(route.method), route.segments);
  op["tags"] = {tag_of(route.segments)};
  if (!doc.summary.empty()) op["summary"] = doc.summary;
  if (!doc.description.empty()) op["description"] = doc.description;

  ordered_json params = ordered_json::array();
  for (const auto& seg : route.segments) {
    if (seg.front() != ':') continue;
    const std::string name = seg.substr(1);
    ordered_json p = {{"name", name}, {"in", "path"}, {"required", true}};
    p["schema"] = {{"type", "string"}};
    for (const auto& d : doc.params) {
      if (d.in != ParamDoc::In::path || d.name != name) continue;
      if (!d.description.empty()) p["description"] = d.description;
      p["schema"] = d.schema;
    }
    params.push_back(std::move(p));
  }
  for (const auto& d : doc.params) {
    if (d.in != ParamDoc::In::query) continue;
    ordered_json p = {{"name", d.name}, {"in", "query"}, {"required", false}};
    if (!d.description.empty()) p["description"] = d.description;
    p["schema"] = d.schema;
    params.push_back(std::move(p));
  }
  if (!params.empty()) op["parameters"] = std::move(params);

  // An empty body reads as {}: the body is never required.
  if (!doc.request_body.is_null()) {
    op["requestBody"] = {{"required", false}, {"content", json_content(doc.request_body)}};
  }
  if (doc.admin) op["security"] = {{{"adminToken", ordered_json::array()}}};

  ordered_json responses = ordered_json::object();
  for (const auto& r : doc.responses) {
    const auto status = std::to_string(r.status);
    if (!responses.contains(status))
      responses[status] = response(r.description, r.schema, r.content_type);
  }
  if (doc.responses.empty()) {
    responses["default"] = {{"description", "Not documented by the route"}};
  }
  // The answers every route of its kind gives, unless the route documents them itself.
  const auto common = [&](int status, std::string_view description) {
    const auto key = std::to_string(status);
    if (!responses.contains(key)) responses[key] = response(description, error_schema());
  };
  if (doc.admin) {
    common(401, "The admin token is missing or wrong");
    common(403, "The server has no admin token (DEPLOYSTACK_ADMIN_TOKEN is not set)");
  }
  if (!doc.request_body.is_null()) {
    common(400, "The body is not valid JSON or fails the route's schema");
    common(413, "The body is larger than the limit");
    common(415, "The body comes with another content type than application/json");
  }
  if (doc.needs_database) common(503, "The database is not initialized (setup not done)");
  common(500, "Unexpected failure; the cause is in the server log");
  op["responses"] = std::move(responses);
  return op;
}

std::string openapi_path(const std::vector<std::string>& segments) {
  std::string out;
  for (const auto& seg : segments) {
    out += '/';
    out += seg.front() == ':' ? "{" + seg.substr(1) + "}" : seg;
  }
  return out.empty() ? "/" : out;
}

}  // namespace

nlohmann::ordered_json openapi_document(const Router& router, const ApiInfo& info) {
  ordered_json paths = ordered_json::object();
  for (const auto& route : router.routes()) {
    const auto method = openapi_method(route.method);
    if (method.empty()) continue;
    const auto path = openapi_path(route.segments);
    // A (method, pattern) registered twice: the router only ever reaches the first.
    auto& item = paths[path];
    if (item.contains(method)) continue;
    item[std::string(method)] = operation(route);
  }
  ordered_json doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {{"title", info.title}, {"version", info.version}};
  if (!info.description.empty()) doc["info"]["description"] = info.description;
  doc["paths"] = std::move(paths);
  doc["components"] = {
      {"schemas", {{"Error", error_component()}}},
      {"securitySchemes",
       {{"adminToken",
         {{"type", "http"}, {"scheme", "bearer"}, {"description", "DEPLOYSTACK_ADMIN_TOKEN"}}}}}};
  return doc;
}

}  // namespace ds::http
