#include "server/require_admin.hpp"

#include <nlohmann/json.hpp>

#include "http/errors.hpp"
#include "http/json_body.hpp"

namespace ds::http {

void require_admin(const Request& request, const Config& config, std::string_view api) {
  if (!config.admin_token) {
    const nlohmann::ordered_json body{
        {"success", false},
        {"error", std::string(api) + " disabled: DEPLOYSTACK_ADMIN_TOKEN is not set"}};
    throw HttpError(Response::json(403, body.dump()));
  }
  require_bearer(
      request, config.admin_token->reveal(),
      R"({"success":false,"error":"Unauthorized","details":"Send Authorization: Bearer <DEPLOYSTACK_ADMIN_TOKEN>"})");
}

}  // namespace ds::http
