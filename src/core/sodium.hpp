#pragma once
// The one place libsodium is initialised (settings encryption, migration hashes).

namespace ds {

// Calls sodium_init once; safe from any thread. Throws ds::Error(internal) if it fails.
void ensure_sodium();

}  // namespace ds
