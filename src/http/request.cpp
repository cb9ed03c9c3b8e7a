#include "http/request.hpp"

#include "core/json_string.hpp"
#include "core/percent_decode.hpp"

namespace ds::http {

std::string_view to_string(Method m) noexcept {
  switch (m) {
    case Method::get:
      return "GET";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::patch:
      return "PATCH";
    case Method::del:
      return "DELETE";
    case Method::head:
      return "HEAD";
    case Method::options:
      return "OPTIONS";
    case Method::other:
      return "OTHER";
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
      return eq == std::string_view::npos ? std::string{}
                                          : *percent_decode(pair.substr(eq + 1), BadEscape::keep);
    }
  }
  return std::nullopt;
}

bool PathParams::decode(std::array<std::string, kMax>& storage) {
  for (std::size_t i = 0; i < count_; ++i) {
    std::string_view& value = items_[i].second;
    if (value.find('%') == std::string_view::npos) {
      if (!is_valid_utf8(value)) return false;
      continue;
    }
    // Strict: a path parameter is an identifier, a stray '%' is a client's mistake.
    auto decoded = percent_decode(value, BadEscape::reject, Plus::literal);
    if (!decoded || !is_valid_utf8(*decoded)) return false;
    storage[i] = std::move(*decoded);
    value = storage[i];
  }
  return true;
}

}  // namespace ds::http
