#pragma once
// The admin token check of every route behind DEPLOYSTACK_ADMIN_TOKEN (the settings API,
// POST /api/db/backup): the same answers for all of them.
#include <string_view>

#include "core/config.hpp"
#include "http/request.hpp"

namespace ds::http {

// Throws HttpError 403 {"success":false,"error":"<api> disabled: DEPLOYSTACK_ADMIN_TOKEN is not
// set"} when the server has no admin token, 401 {"success":false,"error":"Unauthorized",...}
// unless the request sends `Authorization: Bearer <token>` (compared in constant time).
void require_admin(const Request& request, const Config& config, std::string_view api);

}  // namespace ds::http
