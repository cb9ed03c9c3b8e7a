#include "core/secret.hpp"

namespace ds {

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // The length is not secret (tokens have a public format); the content is.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::string_view& loop = a.size() == b.size() ? b : a;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ loop[i]);
  }
  return diff == 0;
}

}  // namespace ds
