#pragma once
// TURSO_DATABASE_URL -> where the pipeline endpoint is. The token a URL may carry
// (`?authToken=`) is taken out here, so no URL the driver keeps or prints holds a secret.
#include <optional>
#include <string>
#include <string_view>

#include "core/secret.hpp"

namespace ds::db::turso {

// The pipeline endpoint's versions (shared/spec/hrana.md): Hrana 3 (`/v3/pipeline`) where the
// server has it, Hrana 2 (`/v2/pipeline`) where it does not. Both carry the same JSON.
enum class Protocol { v3, v2 };
std::string_view pipeline_path(Protocol protocol) noexcept;  // "v3/pipeline" / "v2/pipeline"

struct Endpoint {
  std::string base_url;  // "https://host[:port]/path/" (always ends with '/'), no query, no token
  std::string host;      // "host[:port]": the name used in every message
  std::optional<Secret> url_token;  // from `?authToken=`, when given

  std::string pipeline_url(Protocol protocol) const {
    return base_url + std::string(pipeline_path(protocol));
  }
  // Hrana 3's streaming read endpoint (`POST v3/cursor`).
  std::string cursor_url() const { return base_url + "v3/cursor"; }
};

// Rules: `libsql://` means https (http with `?tls=0`); `https://` and `http://` are kept;
// only the query parameters `tls` (0|1) and `authToken` exist; user info, fragments and any
// other parameter are configuration errors. Throws ds::Error(validation) with a message that
// never contains the token.
Endpoint parse_endpoint(std::string_view url);

// Why `token` cannot travel in an Authorization header (a control character such as CR or
// LF would end the header and start another), naming `source` (the variable) and never the
// token; nullopt when it can.
std::optional<std::string> header_secret_problem(const Secret& token, std::string_view source);

// A `base_url` a server sent for later requests of a stream, as a base ending in '/'. Throws
// ds::Error(unavailable) when it is not http(s) or would downgrade https to http.
std::string follow_base_url(const Endpoint& origin, std::string_view base_url);

}  // namespace ds::db::turso
