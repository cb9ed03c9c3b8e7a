#include "http/errors.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "http/log_excerpt.hpp"

namespace ds::http {
namespace {

// An exception's text may quote client input (a library's parse error): bounded and escaped.
constexpr std::size_t kLoggedCause = 500;

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    default:
      return "Error";
  }
}

// The one way error bodies become text: client bytes (a path, a content type) that are not
// UTF-8 are replaced, not thrown on.
std::string dump(const nlohmann::ordered_json& body) {
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

Response status_error(int status, std::string_view message) {
  nlohmann::ordered_json body = {
      {"statusCode", status}, {"error", reason_phrase(status)}, {"message", message}};
  return Response::json(status, dump(body));
}

Response route_not_found(std::string_view method, std::string_view path) {
  return status_error(404, fmt::format("Route {}:{} not found", method, path));
}

Response method_not_allowed(std::string_view method, std::string_view path,
                            std::string_view allow) {
  Response r = status_error(405, fmt::format("Method {} not allowed on {}", method, path));
  r.headers = fmt::format("Allow: {}\r\n", allow);
  return r;
}

Response payload_too_large(std::size_t limit) {
  return status_error(413, fmt::format("Request body is larger than the limit of {} bytes", limit));
}

Response unsupported_media_type(std::string_view content_type) {
  return status_error(415,
                      fmt::format("Unsupported Media Type: '{}'. Send the body as application/json",
                                  content_type.empty() ? "(none)" : content_type));
}

Response bad_http_request(std::string_view reason) {
  return status_error(400, reason);
}

Response validation_error(std::string_view path, std::string_view message) {
  nlohmann::ordered_json body = {
      {"success", false},
      {"error", "Validation error"},
      {"details", nlohmann::ordered_json::array({{{"path", path}, {"message", message}}})}};
  return Response::json(400, dump(body));
}

Response internal_error() {
  return Response::json(500, R"({"success":false,"error":"Internal server error"})");
}

Response response_for_current_exception(std::string_view context) {
  try {
    throw;
  } catch (const HttpError& e) {
    return e.response();
  } catch (const Error& e) {
    switch (e.code()) {
      case Errc::validation:
        return validation_error("", e.what());
      case Errc::not_found:
        return Response::json(404, dump({{"error", e.what()}}));
      case Errc::conflict:
      case Errc::constraint:
        return Response::json(409, dump({{"error", e.what()}}));
      case Errc::storage_full:
        // Not the client's fault and not a bug: the operator frees space, the client retries.
        spdlog::error("request={} storage full error=\"{}\"", context,
                      log_excerpt(e.what(), kLoggedCause));
        return Response::json(503,
                              dump({{"error", "Insufficient storage"}, {"details", e.what()}}));
      case Errc::busy:
      case Errc::unavailable:
        spdlog::warn("request={} unavailable error=\"{}\"", context,
                     log_excerpt(e.what(), kLoggedCause));
        return Response::json(
            503, dump({{"error", "Service temporarily unavailable"}, {"details", e.what()}}));
      default:
        spdlog::error("request={} code={} error=\"{}\"", context, to_string(e.code()),
                      log_excerpt(e.what(), kLoggedCause));
        return internal_error();
    }
  } catch (const std::exception& e) {
    spdlog::error("request={} error=\"{}\"", context, log_excerpt(e.what(), kLoggedCause));
    return internal_error();
  } catch (...) {
    spdlog::error("request={} error=unknown", context);
    return internal_error();
  }
}

}  // namespace ds::http
