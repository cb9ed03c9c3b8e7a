// Feeds arbitrary text to the `.env` parser: it returns a map or throws ds::Error(validation),
// never anything else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/env.hpp"
#include "core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)ds::parse_dotenv(text);
  } catch (const ds::Error&) {
  }
  return 0;
}
