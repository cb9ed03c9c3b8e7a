#include "core/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace ds {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::validation: return "validation";
    case Errc::conflict: return "conflict";
    case Errc::not_found: return "not_found";
    case Errc::constraint: return "constraint";
    case Errc::busy: return "busy";
    case Errc::io: return "io";
    case Errc::storage_full:
      return "storage_full";
    case Errc::misuse: return "misuse";
    case Errc::unavailable: return "unavailable";
    case Errc::auth: return "auth";
    case Errc::internal: return "internal";
  }
  return "internal";
}

Errc errc_from_errno(int err) noexcept {
  return err == ENOSPC || err == EDQUOT ? Errc::storage_full : Errc::io;
}

void throw_errno(int err, std::string_view context) {
  const Errc code = errc_from_errno(err);
  if (code == Errc::storage_full) {
    throw Error(code, fmt::format("{}: {} ({})", context, std::strerror(err), kStorageFullHint),
                err);
  }
  throw Error(code, fmt::format("{}: {}", context, std::strerror(err)), err);
}

}  // namespace ds
