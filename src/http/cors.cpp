#include "http/cors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace ds::http {
namespace {

// Where the DeployStack frontend runs in development (Vite dev and preview, the quick-start).
constexpr std::string_view kDevelopmentOrigins[] = {
    "http://localhost:5173", "http://localhost:5174", "http://localhost:3000",
    "http://localhost:4173"};

std::string_view trimmed(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One entry of DEPLOYSTACK_FRONTEND_URL as the origin a browser sends: lower-case,
// scheme://host[:port], nothing after it.
std::string origin_of(std::string_view entry) {
  std::string origin(entry);
  if (origin.size() > 1 && origin.back() == '/') origin.pop_back();
  std::transform(origin.begin(), origin.end(), origin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto scheme_end = origin.find("://");
  const std::string_view scheme = scheme_end == std::string::npos
                                      ? std::string_view{}
                                      : std::string_view(origin).substr(0, scheme_end);
  const std::string_view authority = scheme_end == std::string::npos
                                         ? std::string_view{}
                                         : std::string_view(origin).substr(scheme_end + 3);
  const bool ok = (scheme == "http" || scheme == "https") && !authority.empty() &&
                  authority.find_first_of("/?#@ \t") == std::string_view::npos &&
                  authority.front() != ':' && authority.back() != ':';
  if (!ok) {
    throw Error(Errc::validation,
                fmt::format("DEPLOYSTACK_FRONTEND_URL: '{}' is not an origin; give "
                            "scheme://host[:port] (e.g. https://app.example.com), several "
                            "separated by commas",
                            entry.substr(0, 200)));
  }
  return origin;
}

}  // namespace

CorsPolicy::CorsPolicy(std::optional<std::string_view> frontend_urls) {
  for (const auto dev : kDevelopmentOrigins) origins_.emplace_back(dev);
  if (!frontend_urls) return;
  std::string_view list = *frontend_urls;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view entry = trimmed(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (entry.empty()) continue;
    std::string origin = origin_of(entry);
    if (!allows(origin)) origins_.push_back(std::move(origin));
  }
}

bool CorsPolicy::allows(std::string_view origin) const noexcept {
  // Exact comparison: a browser sends the origin serialized, lower-case, without a path.
  return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

Response CorsPolicy::preflight(std::string_view origin, std::string_view requested_headers) const {
  Response response = Response::no_content();
  if (!allows(origin)) return response;
  response.headers += "Access-Control-Allow-Methods: GET,POST,PUT,PATCH,DELETE,OPTIONS\r\n";
  if (!requested_headers.empty()) {
    response.headers += "Access-Control-Allow-Headers: ";
    response.headers += requested_headers;
    response.headers += "\r\n";
  }
  response.headers += "Access-Control-Max-Age: 600\r\n";
  return response;
}

void CorsPolicy::add_headers(Response& response, std::string_view origin) const {
  if (origin.empty()) return;
  if (allows(origin)) {
    response.headers += "Access-Control-Allow-Origin: ";
    response.headers += origin;
    response.headers += "\r\nAccess-Control-Allow-Credentials: true\r\n";
  }
  response.headers += "Vary: Origin\r\n";
}

}  // namespace ds::http
