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

// Whether `route` matches the split path; fills `params` when it does.
bool matches(const Router::Route& route, const std::array<std::string_view, kMaxSegments>& parts,
             std::size_t n, PathParams& params) {
  if (route.segments.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& seg = route.segments[i];
    if (!seg.empty() && seg.front() == ':') {
      if (parts[i].empty()) return false;
      params.add(std::string_view(seg).substr(1), parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(Method method, std::string_view pattern, Handler handler, Execution execution,
                 RouteDoc doc) {
  std::array<std::string_view, kMaxSegments> parts;
  const std::size_t n = split(pattern, parts);
  Route route{method, {}, std::move(handler), execution, std::move(doc)};
  for (std::size_t i = 0; i < n; ++i) route.segments.emplace_back(parts[i]);
  routes_.push_back(std::move(route));
}

std::string Router::pattern(const Route& route) {
  std::string out;
  for (const auto& segment : route.segments) {
    out += '/';
    out += segment;
  }
  return out.empty() ? "/" : out;
}

Router::Match Router::match(Method method, std::string_view path) const {
  std::array<std::string_view, kMaxSegments> parts;
  const std::size_t n = split(path, parts);
  Match result;
  if (n > kMaxSegments) return result;
  for (const Route& route : routes_) {
    PathParams params;
    if (!matches(route, parts, n, params)) continue;
    if (route.method == method || (method == Method::head && route.method == Method::get)) {
      result.route = &route;
      result.params = params;
      return result;
    }
    result.path_known = true;
  }
  return result;
}

std::string Router::allowed_methods(std::string_view path) const {
  std::array<std::string_view, kMaxSegments> parts;
  const std::size_t n = split(path, parts);
  if (n > kMaxSegments) return {};
  // In a fixed order, each once: the order of Method.
  std::array<bool, static_cast<std::size_t>(Method::other) + 1> seen{};
  for (const Route& route : routes_) {
    PathParams params;
    if (!matches(route, parts, n, params)) continue;
    seen[static_cast<std::size_t>(route.method)] = true;
    if (route.method == Method::get) seen[static_cast<std::size_t>(Method::head)] = true;
  }
  std::string out;
  for (std::size_t m = 0; m < seen.size(); ++m) {
    if (!seen[m]) continue;
    if (!out.empty()) out += ", ";
    out += to_string(static_cast<Method>(m));
  }
  return out;
}

}  // namespace ds::http
