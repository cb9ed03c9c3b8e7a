#include "db/turso/turso_url.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/percent_decode.hpp"

namespace ds::db::turso {
namespace {

[[noreturn]] void invalid(std::string_view why) {
  throw Error(Errc::validation, fmt::format("TURSO_DATABASE_URL is invalid: {}", why));
}

}  // namespace

Endpoint parse_endpoint(std::string_view url) {
  std::string_view scheme;
  for (std::string_view s : {"libsql://", "https://", "http://"}) {
    if (url.starts_with(s)) scheme = s.substr(0, s.size() - 3);
  }
  if (scheme.empty()) invalid("unsupported scheme (accepted: libsql://, https://, http://)");
  std::string_view rest = url.substr(scheme.size() + 3);
  if (rest.find('#') != std::string_view::npos) invalid("fragments (#...) are not allowed");

  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path =
      slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    invalid("user info (user:password@) is not allowed; use TURSO_AUTH_TOKEN");
  }
  if (authority.empty() || authority.starts_with(':')) invalid("the host is missing");

  Endpoint ep;
  ep.host = std::string(authority);
  std::optional<bool> tls;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    auto decoded = eq == std::string_view::npos
                       ? std::optional<std::string>(std::string())
                       : percent_decode(pair.substr(eq + 1), BadEscape::reject);
    if (!decoded) invalid("a query value has a bad %-escape");
    const std::string value = std::move(*decoded);
    if (key == "tls") {
      if (value != "0" && value != "1") invalid("tls must be 0 or 1");
      tls = value == "1";
    } else if (key == "authToken") {
      if (value.empty()) invalid("authToken is empty");
      ep.url_token = Secret(value);
      if (auto problem = header_secret_problem(*ep.url_token, "the URL's authToken"))
        invalid(*problem);
    } else {
      // The key is safe to name; the value is not printed (it could be anything).
      invalid(fmt::format("unknown query parameter '{}' (accepted: tls, authToken)", key));
    }
  }

  std::string_view out_scheme = scheme;
  if (scheme == "libsql") {
    out_scheme = tls.value_or(true) ? "https" : "http";
  } else if (tls && *tls != (scheme == "https")) {
    invalid(fmt::format("tls={} contradicts the {}:// scheme", *tls ? 1 : 0, scheme));
  }
  ep.base_url = fmt::format("{}://{}{}", out_scheme, authority, path);
  if (!ep.base_url.ends_with('/')) ep.base_url.push_back('/');
  return ep;
}

std::string_view pipeline_path(Protocol protocol) noexcept {
  return protocol == Protocol::v3 ? "v3/pipeline" : "v2/pipeline";
}

std::optional<std::string> header_secret_problem(const Secret& token, std::string_view source) {
  for (const char c : token.reveal()) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return fmt::format(
          "{} contains a control character (byte 0x{:02x}; a line break copied from a file?); "
          "remove it: it is sent as one HTTP header line",
          source, byte);
    }
  }
  return std::nullopt;
}

std::string follow_base_url(const Endpoint& origin, std::string_view base_url) {
  const bool https = base_url.starts_with("https://");
  if (!https && !base_url.starts_with("http://")) {
    throw Error(
        Errc::unavailable,
        fmt::format("Turso at {} sent an unusable base_url (not http or https)", origin.host));
  }
  if (!https && origin.base_url.starts_with("https://")) {
    throw Error(
        Errc::unavailable,
        fmt::format("Turso at {} sent a base_url that would drop TLS; refused", origin.host));
  }
  std::string out(base_url);
  if (const auto q = out.find_first_of("?#"); q != std::string::npos) out.resize(q);
  if (!out.ends_with('/')) out.push_back('/');
  return out;
}

}  // namespace ds::db::turso
