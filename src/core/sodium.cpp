#include "core/sodium.hpp"

#include <sodium.h>

#include "core/error.hpp"

namespace ds {

void ensure_sodium() {
  // sodium_init is thread-safe and idempotent; the static just avoids calling it per use.
  static const int rc = sodium_init();
  if (rc < 0) throw Error(Errc::internal, "libsodium could not be initialised");
}

}  // namespace ds
