#pragma once
// What the server's answers mean as ds::Error, with the same codes the SQLite driver uses for
// the same situation. Messages name the host, never the token.
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "db/turso/hrana_codec.hpp"

namespace ds::db::hrana {

// Errc for an in-band error: constraint by code prefix (SQLITE_CONSTRAINT...), then by message
// ("constraint failed") for servers with their own codes (PREPARE_ERROR, EXECUTE_ERROR, ...).
Errc classify(std::string_view code, std::string_view message) noexcept;

// SQLite's (extended) result code for an in-band error when it can be told, else 0.
int native_code(std::string_view code, std::string_view message) noexcept;

// An in-band error as the ds::Error callers see: "<context>: <message>".
Error stream_error(const StreamError& error, std::string_view context);

// A non-200 answer: 401/403 -> auth; 400 STREAM_EXPIRED or 404 inside a stream -> unavailable
// (the transaction is gone); 429, 5xx -> unavailable; other 4xx -> misuse.
Error http_error(long status, std::string_view body, std::string_view host, bool in_stream);

// True when a server refused a pipeline because it does not know the `close` request (HTTP
// 400 or 500 whose text names `close` as unknown or unsupported: it then ran none of the
// pipeline, so sending it again without `close` is safe).
bool is_close_rejection(long status, std::string_view body) noexcept;

// `text` with every occurrence of the token replaced by ***: for any server text that ends up
// in a message.
std::string redact(std::string text, const Secret& token);

}  // namespace ds::db::hrana
