#pragma once
// Re-encrypting every stored secret under a new key, for `deploystack settings rotate-key`.
#include <cstddef>

#include "db/connection.hpp"
#include "settings/cipher.hpp"

namespace ds::settings {

// Decrypts every encrypted setting with `from` and stores it encrypted with `to`, all in one
// transaction. When any secret does not decrypt with `from`, nothing changes and
// ds::Error(validation) names those keys. Returns how many secrets were re-encrypted.
std::size_t rotate_secrets(db::Connection& db, const Cipher& from, const Cipher& to);

}  // namespace ds::settings
