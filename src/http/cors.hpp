#pragma once
// Cross-origin requests from the web frontend (shared/spec/api.md, "CORS"): which origins may
// call the API with credentials, the answer to a preflight, and the headers every other
// answer to such an origin carries. An origin not on the list gets no Access-Control-*
// header at all, and `*` is never sent (it cannot go with credentials).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"

namespace ds::http {

class CorsPolicy {
 public:
  // The local development origins plus each origin of `frontend_urls` (the value of
  // DEPLOYSTACK_FRONTEND_URL: comma-separated scheme://host[:port]; a trailing '/' is
  // forgiven). Throws ds::Error(validation) naming the variable and the bad entry.
  explicit CorsPolicy(std::optional<std::string_view> frontend_urls);
  // The local development origins only.
  CorsPolicy() : CorsPolicy(std::nullopt) {}

  bool allows(std::string_view origin) const noexcept;

  // The answer to a preflight (OPTIONS with Origin and Access-Control-Request-Method): 204,
  // with the allow headers only when the origin is allowed (add_headers() adds the rest).
  Response preflight(std::string_view origin, std::string_view requested_headers) const;

  // Adds Access-Control-Allow-Origin/-Credentials for an allowed origin, and Vary: Origin
  // whenever the request named an origin (the answer depends on it). No origin: nothing.
  void add_headers(Response& response, std::string_view origin) const;

  const std::vector<std::string>& origins() const noexcept { return origins_; }

 private:
  std::vector<std::string> origins_;
};

}  // namespace ds::http
