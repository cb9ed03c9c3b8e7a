#include "http/request.hpp"

#include "core/percent_decode.hpp"

namespace ds::http {

std::string_view to_string(Method m) noexcept {
  switch (m) {
    case Method::get: return "GET";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
    case Method::head: return "HEAD";
    case Method::options: return "OPTIONS";
    case Method::other: return "OTHER";
  }
  return "OTHER";
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    // Lenient like most servers: a stray '%' stays as written.
    if (*percent_decode(pair.substr(0, eq), BadEscape::keep) == name) {
      return eq == std::string_view::npos ? std::string{} : *percent_decode(pair.substr(eq + 1), BadEscape::keep);
    }
  }
  return std::nullopt;
}

}  // namespace ds::http
