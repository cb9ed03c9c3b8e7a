#include "core/error.hpp"

namespace ds {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::validation: return "validation";
    case Errc::conflict: return "conflict";
    case Errc::not_found: return "not_found";
    case Errc::constraint: return "constraint";
    case Errc::busy: return "busy";
    case Errc::io: return "io";
    case Errc::misuse: return "misuse";
    case Errc::unavailable: return "unavailable";
    case Errc::auth: return "auth";
    case Errc::internal: return "internal";
  }
  return "internal";
}

}  // namespace ds
