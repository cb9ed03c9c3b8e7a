#include "http/router.hpp"

#include <array>

namespace ds::http {
namespace {

constexpr std::size_t kMaxSegments = 16;

// Splits "/a/b/c" into {"a","b","c"}; a trailing slash is ignored. Returns the count, or
// kMaxSegments + 1 when there are more than the router ever matches.
std::size_t split(std::string_view path, std::array<std::string_view, kMaxSegments>& out) {
  std::size_t n = 0;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    if (n == kMaxSegments) return kMaxSegments + 1;
    out[n++] = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return n;
}

}  // namespace

void Router::add(Method method, std::string_view pattern, Handler handler, Execution execution) {
  std::array<std::string_view, kMaxSegments> parts;
  const std::size_t n = split(pattern, parts);
  Route route{method, {}, std::move(handler), execution};
  for (std::size_t i = 0; i < n; ++i) route.segments.emplace_back(parts[i]);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(Method method, std::string_view path) const {
  std::array<std::string_view, kMaxSegments> parts;
  const std::size_t n = split(path, parts);
  Match result;
  if (n > kMaxSegments) return result;
  for (const Route& route : routes_) {
    if (route.segments.size() != n) continue;
    PathParams params;
    bool ok = true;
    for (std::size_t i = 0; i < n && ok; ++i) {
      const std::string& seg = route.segments[i];
      if (!seg.empty() && seg.front() == ':') {
        ok = !parts[i].empty();
        params.add(std::string_view(seg).substr(1), parts[i]);
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    if (route.method == method) {
      result.route = &route;
      result.params = params;
      return result;
    }
    result.path_known = true;
  }
  return result;
}

}  // namespace ds::http
