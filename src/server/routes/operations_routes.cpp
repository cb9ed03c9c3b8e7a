#include "server/routes/operations_routes.hpp"

namespace ds::http {
namespace {

nlohmann::json status_schema(std::string_view status) {
  return {{"type", "object"},
          {"required", {"status"}},
          {"properties", {{"status", {{"const", status}}}}}};
}

}  // namespace

void add_operations_routes(Router& router, const setup::DatabaseManager& manager) {
  router.add(Method::get, "/health",
             [](const Request&) { return Response::json(200, R"({"status":"ok"})"); },
             Execution::inline_,
             {.summary = "Liveness: the process serves HTTP (touches no database)",
              .responses = {{200, "Serving", status_schema("ok")}}});
  nlohmann::json not_ready = status_schema("not_ready");
  not_ready["required"].push_back("reason");
  not_ready["properties"]["reason"] = {{"type", "string"}};
  router.add(Method::get, "/ready",
             [&manager](const Request&) {
               const auto readiness = manager.readiness();
               return Response::json(readiness->ready ? 200 : 503, readiness->json);
             },
             Execution::inline_,
             {.summary = "Readiness: the database is initialized and its migrations are current",
              .responses = {{200, "Ready", status_schema("ready")},
                            {503, "Not ready, with a reason safe to show", not_ready}}});
}

}  // namespace ds::http
