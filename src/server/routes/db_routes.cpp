#include "server/routes/db_routes.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "http/errors.hpp"
#include "http/json_body.hpp"

namespace ds::http {
namespace {

using Outcome = setup::SetupResult::Outcome;

nlohmann::json type_or_null(const std::optional<DatabaseType>& type) {
  return type ? nlohmann::json(to_string(*type)) : nlohmann::json(nullptr);
}

Response setup_response(const setup::SetupResult& r) {
  nlohmann::ordered_json body;
  int status = 200;
  switch (r.outcome) {
    case Outcome::ok:
      body = {
          {"message",
           "Database setup successful. All services have been initialized and are ready to use."},
          {"restart_required", false},
          {"database_type", type_or_null(r.database_type)}};
      break;
    case Outcome::ok_restart_required:
      body = {{"message",
               "Database setup successful, but some services may require a server restart to "
               "function properly."},
              {"restart_required", true},
              {"database_type", type_or_null(r.database_type)}};
      break;
    case Outcome::already_performed:
      status = 409;
      body = {{"message", "Database setup has already been performed."},
              {"database_type", type_or_null(r.database_type)}};
      break;
    case Outcome::in_progress:
      status = 409;
      body = {{"message", "Database setup is already in progress."},
              {"database_type", type_or_null(r.database_type)}};
      break;
    case Outcome::invalid_selection:
      status = 409;
      body = {{"message", "Database selection file is invalid: " + r.details +
                              ". Fix or remove persistent_data/db.selection.json."},
              {"database_type", nullptr}};
      break;
    case Outcome::configuration_incomplete:
      status = 400;
      body = {{"error", "Database configuration incomplete. Please check environment variables."},
              {"details", r.details}};
      break;
    case Outcome::initialization_failed:
      status = 500;
      body = {{"error", "Database initialization failed. Check server logs and configuration."},
              {"details", r.details}};
      break;
  }
  return Response::json(status, body.dump());
}

// The types parse_database_type accepts, as the setup body's schema.
nlohmann::json database_type_schema(bool nullable) {
  auto names =
      nlohmann::json::array({to_string(DatabaseType::sqlite), to_string(DatabaseType::turso)});
  if (nullable) names.push_back(nullptr);
  return {{"enum", std::move(names)}};
}

RouteDoc status_doc() {
  return {.summary = "Whether a database is configured and initialized, and its dialect",
          .responses = {{200,
                         "The database status",
                         {{"type", "object"},
                          {"required", {"configured", "initialized", "dialect"}},
                          {"additionalProperties", false},
                          {"properties",
                           {{"configured", {{"type", "boolean"}}},
                            {"initialized", {{"type", "boolean"}}},
                            {"dialect", database_type_schema(true)}}}}}}};
}

RouteDoc setup_doc() {
  const nlohmann::json result = {{"type", "object"},
                                 {"required", nlohmann::json::array({"message", "database_type"})},
                                 {"properties",
                                  {{"message", {{"type", "string"}}},
                                   {"restart_required", {{"type", "boolean"}}},
                                   {"database_type", database_type_schema(true)}}}};
  return {
      .summary = "Selects the database, connects, migrates it and starts the services on it",
      .description =
          "The SQLite path and Turso credentials come from the environment only. "
          "With DEPLOYSTACK_SETUP_TOKEN set, needs `Authorization: Bearer <token>`.",
      .request_body = {{"type", "object"},
                       {"required", {"type"}},
                       {"properties", {{"type", database_type_schema(false)}}}},
      .responses = {{200, "Set up (restart_required says whether services need a restart)", result},
                    {400, "Invalid type, or the environment lacks the database's configuration",
                     error_schema()},
                    {401, "The setup token is missing or wrong", error_schema()},
                    {409, "Already set up, in progress, or the selection file is invalid", result},
                    {500, "The database could not be initialized", error_schema()}}};
}

}  // namespace

void add_db_routes(Router& router, setup::DatabaseManager& manager, const Config& config) {
  router.add(
      Method::get, "/api/db/status",
      [&manager](const Request&) { return Response::json(200, *manager.status_json()); },
      Execution::inline_, status_doc());

  router.add(
      Method::post, "/api/db/setup",
      [&manager, &config](const Request& request) {
        if (config.setup_token) {
          require_bearer(request, config.setup_token->reveal(),
                         R"({"error":"Unauthorized","details":"Setup requires the setup token"})");
        }
        const auto body = parse_json_object(request);
        const auto type = body.find("type");
        const auto parsed = type != body.end() && type->is_string()
                                ? parse_database_type(type->get_ref<const std::string&>())
                                : std::nullopt;
        if (!parsed) {
          throw HttpError(
              validation_error("type", fmt::format("type must be one of: {}", kDatabaseTypeNames)));
        }
        return setup_response(manager.setup(*parsed));
      },
      Execution::blocking, setup_doc());
}

}  // namespace ds::http
