#include "db/turso/hrana_errors.hpp"

#include "db/sqlite_result_code.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

namespace ds::db::hrana {
namespace {

bool contains_ci(std::string_view haystack, std::string_view needle) noexcept {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != haystack.end();
}

// Extended codes first: the longest matching prefix wins.
constexpr std::array<std::pair<std::string_view, int>, 22> kSqliteCodes{{
    {"SQLITE_CONSTRAINT_UNIQUE", SQLITE_CONSTRAINT_UNIQUE},
    {"SQLITE_CONSTRAINT_PRIMARYKEY", SQLITE_CONSTRAINT_PRIMARYKEY},
    {"SQLITE_CONSTRAINT_FOREIGNKEY", SQLITE_CONSTRAINT_FOREIGNKEY},
    {"SQLITE_CONSTRAINT_NOTNULL", SQLITE_CONSTRAINT_NOTNULL},
    {"SQLITE_CONSTRAINT_CHECK", SQLITE_CONSTRAINT_CHECK},
    {"SQLITE_CONSTRAINT", SQLITE_CONSTRAINT},
    {"SQLITE_BUSY", SQLITE_BUSY},
    {"SQLITE_LOCKED", SQLITE_LOCKED},
    {"SQLITE_IOERR", SQLITE_IOERR},
    {"SQLITE_CORRUPT", SQLITE_CORRUPT},
    {"SQLITE_NOTADB", SQLITE_NOTADB},
    {"SQLITE_FULL", SQLITE_FULL},
    {"SQLITE_CANTOPEN", SQLITE_CANTOPEN},
    {"SQLITE_READONLY", SQLITE_READONLY},
    {"SQLITE_PERM", SQLITE_PERM},
    {"SQLITE_PROTOCOL", SQLITE_PROTOCOL},
    {"SQLITE_ERROR", SQLITE_ERROR},
    {"SQLITE_MISUSE", SQLITE_MISUSE},
    {"SQLITE_RANGE", SQLITE_RANGE},
    {"SQLITE_MISMATCH", SQLITE_MISMATCH},
    {"SQLITE_TOOBIG", SQLITE_TOOBIG},
    {"SQLITE_AUTH", SQLITE_AUTH},
}};

// "... UNIQUE constraint failed: t.name (19)": some servers append SQLite's code in brackets.
int trailing_code(std::string_view message) noexcept {
  if (!message.ends_with(')')) return 0;
  const auto open = message.rfind('(');
  if (open == std::string_view::npos) return 0;
  int rc = 0;
  const char* first = message.data() + open + 1;
  const char* last = message.data() + message.size() - 1;
  const auto [ptr, ec] = std::from_chars(first, last, rc);
  return ec == std::errc{} && ptr == last && rc > 0 ? rc : 0;
}

// The readable part of an error body: {"error":"..."}, {"message":"..."} or plain text.
std::string body_reason(std::string_view body) {
  std::string reason;
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object()) {
    for (const char* key : {"error", "message"}) {
      if (auto it = doc.find(key); it != doc.end() && it->is_string()) reason = it->get<std::string>();
      if (!reason.empty()) break;
    }
  }
  if (reason.empty() && doc.is_discarded()) reason = std::string(body);
  for (auto& c : reason) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  constexpr std::size_t kMax = 200;
  if (reason.size() > kMax) reason = reason.substr(0, kMax) + "...";
  return reason;
}

std::string json_code(std::string_view body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  if (auto it = doc.find("code"); it != doc.end() && it->is_string()) return it->get<std::string>();
  return {};
}

}  // namespace

int native_code(std::string_view code, std::string_view message) noexcept {
  for (const auto& [name, rc] : kSqliteCodes) {
    if (code.starts_with(name)) return rc;
  }
  return trailing_code(message);
}

Errc classify(std::string_view code, std::string_view message) noexcept {
  if (code.starts_with("SQLITE_")) {
    if (const int rc = native_code(code, message); rc != 0) return classify_sqlite_result_code(rc);
  }
  if (contains_ci(message, "constraint failed")) return Errc::constraint;
  if (contains_ci(message, "database is locked") || contains_ci(message, "database table is locked")) {
    return Errc::busy;
  }
  // sqld rolls a write transaction back when it blocked another writer too long: retry later.
  if (code == "TRANSACTION_TIMEOUT" || code == "TRANSACTION_BUSY") return Errc::busy;
  if (code == "STREAM_EXPIRED" || code == "STREAM_CLOSED") return Errc::unavailable;
  if (const int rc = trailing_code(message); rc != 0) return classify_sqlite_result_code(rc);
  // SQL_PARSE_ERROR, ARGS_INVALID, SQL_MANY_STATEMENTS, PREPARE_ERROR, ...: like SQLITE_ERROR.
  return Errc::misuse;
}

Error stream_error(const StreamError& error, std::string_view context) {
  std::string msg = fmt::format("{}: {}", context, error.message);
  if (!error.code.empty()) msg += fmt::format(" [{}]", error.code);
  return Error(classify(error.code, error.message), msg, native_code(error.code, error.message));
}

Error http_error(long status, std::string_view body, std::string_view host, bool in_stream) {
  const std::string reason = body_reason(body);
  const std::string detail = reason.empty() ? std::string() : ": " + reason;
  if (status == 401 || status == 403) {
    return Error(Errc::auth, fmt::format("Turso at {} refused the auth token (HTTP {}){}", host, status, detail));
  }
  if (in_stream && ((status == 400 && json_code(body) == "STREAM_EXPIRED") || status == 404)) {
    return Error(Errc::unavailable,
                 fmt::format("Turso at {} expired the stream (HTTP {}){}; the server rolled the transaction "
                             "back and it was not retried",
                             host, status, detail));
  }
  if (status == 429 || status >= 500) {
    return Error(Errc::unavailable, fmt::format("Turso at {} is unavailable (HTTP {}){}", host, status, detail));
  }
  if (status == 404) {
    return Error(Errc::unavailable,
                 fmt::format("Turso at {} has no pipeline endpoint (HTTP 404); check TURSO_DATABASE_URL", host));
  }
  if (in_stream) {
    return Error(Errc::unavailable,
                 fmt::format("Turso at {} rejected a request of the transaction (HTTP {}){}; the transaction "
                             "is gone and was not retried",
                             host, status, detail));
  }
  return Error(Errc::misuse, fmt::format("Turso at {} rejected the request (HTTP {}){}", host, status, detail));
}

bool is_close_rejection(long status, std::string_view body) noexcept {
  // A protocol-level refusal (tursodb: 500 "unknown variant `close`"; a Hrana server without
  // it: 400 "unknown request type 'close'"), never auth, a missing path or an overload.
  if (status < 400 || status == 401 || status == 403 || status == 404 || status == 429 ||
      status > 500)
    return false;
  if (!contains_ci(body, "close")) return false;
  return contains_ci(body, "unknown") || contains_ci(body, "unsupported") ||
         contains_ci(body, "not supported");
}

std::string redact(std::string text, const Secret& token) {
  const std::string& t = token.reveal();
  if (t.empty()) return text;
  for (auto pos = text.find(t); pos != std::string::npos; pos = text.find(t, pos + 3)) {
    text.replace(pos, t.size(), "***");
  }
  return text;
}

}  // namespace ds::db::hrana
