#pragma once
// Everything the Turso driver and its HTTP client are told: read from the environment by
// Config (TURSO_*), taken as it is by db/turso/. One struct, so a setting cannot be lost on
// its way from the variable to the request.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/secret.hpp"

namespace ds {

struct TursoOptions {
  std::string url;              // TURSO_DATABASE_URL; empty when unset
  std::optional<Secret> token;  // TURSO_AUTH_TOKEN; the URL's `authToken` when unset
  // TURSO_ENCRYPTION_KEY: the key of an encrypted database, sent as `x-turso-encryption-key`
  // on every request; unset for an unencrypted one.
  std::optional<Secret> encryption_key{};
  std::chrono::milliseconds connect_timeout{5000};  // TURSO_CONNECT_TIMEOUT_MS: each attempt
  // TURSO_TIMEOUT_MS: the whole call, every attempt and backoff included.
  std::chrono::milliseconds total_timeout{30000};
  // TURSO_MAX_RESPONSE_BYTES: answers longer than this fail. The body is buffered, then decoded
  // through a JSON document that costs about 11x its size at peak: 16 MiB keeps one answer
  // under ~200 MB.
  std::size_t max_response_bytes = std::size_t{16} << 20;
  int max_attempts = 3;  // for requests that may be repeated
  std::chrono::milliseconds first_backoff{100};
};

}  // namespace ds
