#pragma once
// The error bodies of ../shared/spec/api.md, built in one place.
#include <exception>
#include <string>
#include <string_view>

#include "http/request.hpp"

namespace ds::http {

// Thrown by a handler (or a helper it calls) to answer with a fixed response.
class HttpError : public std::exception {
 public:
  explicit HttpError(Response response) : response_(std::move(response)) {}
  const char* what() const noexcept override { return "http error"; }
  const Response& response() const noexcept { return response_; }

 private:
  Response response_;
};

// {"statusCode":N,"error":"<reason>","message":"<message>"} (400, 404, 405, 413, 414, 415,
// 431, 501). Every text may hold client bytes: invalid UTF-8 becomes U+FFFD, never an
// exception (these bodies answer exactly the requests that are broken).
Response status_error(int status, std::string_view message);
Response route_not_found(std::string_view method, std::string_view path);
// `allow`: the path's methods, e.g. "GET, HEAD" (the Allow header RFC 9110 requires on 405).
Response method_not_allowed(std::string_view method, std::string_view path, std::string_view allow);
Response payload_too_large(std::size_t limit);
Response unsupported_media_type(std::string_view content_type);
Response bad_http_request(std::string_view reason);

// {"success":false,"error":"Validation error","details":[{"path":..,"message":..}]}
Response validation_error(std::string_view path, std::string_view message);

// {"success":false,"error":"Internal server error"}; the cause goes to the log only.
Response internal_error();

// Maps the exception being handled (HttpError, ds::Error, anything else) to a response:
// the single place where error codes become status codes. Call inside a catch block.
Response response_for_current_exception(std::string_view context);

}  // namespace ds::http
