#include "http/errors.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace ds::http {
namespace {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    default: return "Error";
  }
}

}  // namespace

Response status_error(int status, std::string_view message) {
  nlohmann::ordered_json body = {{"statusCode", status}, {"error", reason_phrase(status)}, {"message", message}};
  return Response::json(status, body.dump());
}

Response route_not_found(std::string_view method, std::string_view path) {
  return status_error(404, fmt::format("Route {}:{} not found", method, path));
}

Response method_not_allowed(std::string_view method, std::string_view path) {
  return status_error(405, fmt::format("Method {} not allowed on {}", method, path));
}

Response payload_too_large(std::size_t limit) {
  return status_error(413, fmt::format("Request body is larger than the limit of {} bytes", limit));
}

Response unsupported_media_type(std::string_view content_type) {
  return status_error(415, fmt::format("Unsupported Media Type: '{}'. Send the body as application/json",
                                       content_type.empty() ? "(none)" : content_type));
}

Response bad_http_request(std::string_view reason) { return status_error(400, reason); }

Response validation_error(std::string_view path, std::string_view message) {
  nlohmann::ordered_json body = {{"success", false},
                         {"error", "Validation error"},
                         {"details", nlohmann::ordered_json::array({{{"path", path}, {"message", message}}})}};
  return Response::json(400, body.dump());
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
      case Errc::validation: return validation_error("", e.what());
      case Errc::not_found: return Response::json(404, nlohmann::json{{"error", e.what()}}.dump());
      case Errc::conflict:
      case Errc::constraint: return Response::json(409, nlohmann::json{{"error", e.what()}}.dump());
      case Errc::busy:
      case Errc::unavailable:
        spdlog::warn("request={} unavailable error=\"{}\"", context, e.what());
        return Response::json(503, nlohmann::ordered_json{{"error", "Service temporarily unavailable"},
                                                  {"details", e.what()}}
                                       .dump());
      default:
        spdlog::error("request={} code={} error=\"{}\"", context, to_string(e.code()), e.what());
        return internal_error();
    }
  } catch (const std::exception& e) {
    spdlog::error("request={} error=\"{}\"", context, e.what());
    return internal_error();
  } catch (...) {
    spdlog::error("request={} error=unknown", context);
    return internal_error();
  }
}

}  // namespace ds::http
