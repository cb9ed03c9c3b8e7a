#pragma once
// SHA-256 (libsodium's): the migration runner's file hashes, as drizzle records them.
#include <string>
#include <string_view>

namespace ds {

// Lowercase hex digest of `data` (64 characters).
std::string sha256_hex(std::string_view data);

}  // namespace ds
