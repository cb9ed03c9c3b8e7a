#include "settings/modules/modules.hpp"

#include <array>

namespace ds::settings::modules {

std::span<const Module* const> all_modules() {
  // Function-local: built on first use, so no static-initialisation order to worry about.
  static const std::array<const Module*, 3> list = {&global(), &smtp(), &github_oauth()};
  return list;
}

}  // namespace ds::settings::modules
