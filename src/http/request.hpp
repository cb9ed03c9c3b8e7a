#pragma once
// The HTTP types route handlers see: plain views of the parsed request, and a response.
// Handlers never see the HTTP library.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ds::http {

enum class Method { get, post, put, patch, del, head, options, other };

std::string_view to_string(Method m) noexcept;

// Path parameters of the matched route (":id" -> value); a route has at most four.
class PathParams {
 public:
  static constexpr std::size_t kMax = 4;
  void add(std::string_view name, std::string_view value) noexcept {
    if (count_ < kMax) items_[count_++] = {name, value};
  }
  std::string_view get(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      if (items_[i].first == name) return items_[i].second;
    }
    return {};
  }
  // Percent-decodes every value that has a '%' into `storage` (which must outlive the
  // params; values without one stay views of the path, so the common case does not
  // allocate). False when a value has an invalid escape or is not UTF-8 once decoded.
  bool decode(std::array<std::string, kMax>& storage);

 private:
  std::array<std::pair<std::string_view, std::string_view>, kMax> items_{};
  std::size_t count_ = 0;
};

// Valid for the duration of the handler call only.
struct Request {
  Method method = Method::get;
  std::string_view method_name;
  std::string_view path;   // without the query string
  std::string_view query;  // after '?', raw
  std::string_view content_type;
  std::string_view authorization;
  std::string_view body;
  PathParams params;

  std::string_view param(std::string_view name) const noexcept { return params.get(name); }
  // The percent-decoded value of a query parameter, or nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
};

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

struct Response {
  int status = 200;
  std::string body;
  std::string_view content_type = kJsonContentType;
  // Further header lines, each "Name: value\r\n" (e.g. Allow on a 405); usually empty.
  std::string headers;

  static Response json(int status, std::string body) {
    return {status, std::move(body), kJsonContentType, {}};
  }
  static Response no_content() { return {204, {}, {}, {}}; }
};

}  // namespace ds::http
