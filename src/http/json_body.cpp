#include "http/json_body.hpp"

#include "core/ascii.hpp"
#include "core/secret.hpp"
#include "http/errors.hpp"

namespace ds::http {
namespace {

bool is_json_content_type(std::string_view ct) {
  const auto semi = ct.find(';');
  std::string_view mime = ct.substr(0, semi);
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  return iequals(mime, "application/json");
}

}  // namespace

nlohmann::json parse_json_object(const Request& request) {
  if (request.body.empty()) return nlohmann::json::object();
  if (!is_json_content_type(request.content_type)) {
    throw HttpError(unsupported_media_type(request.content_type));
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    // Say where, not what: the body may hold a secret.
    throw HttpError(validation_error(
        "", "Body is not valid JSON: syntax error at byte " + std::to_string(e.byte)));
  } catch (const nlohmann::json::exception&) {
    // A number past the range of a double (1e999): the client's mistake, not ours; its
    // text stays out of the answer and the log.
    throw HttpError(
        validation_error("", "Body is not valid JSON: a number is out of range (beyond ±1.7e308)"));
  }
  if (!body.is_object()) throw HttpError(validation_error("", "Body must be a JSON object"));
  return body;
}

void require_bearer(const Request& request, std::string_view expected, std::string_view body_json) {
  constexpr std::string_view kPrefix = "Bearer ";
  const std::string_view auth = request.authorization;
  const bool ok = auth.size() > kPrefix.size() && iequals(auth.substr(0, 7), "Bearer ") &&
                  constant_time_equal(auth.substr(kPrefix.size()), expected);
  if (!ok) throw HttpError(Response::json(401, std::string(body_json)));
}

}  // namespace ds::http
