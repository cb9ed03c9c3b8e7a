// Feeds arbitrary text as the body of a Turso `POST /v2/pipeline` answer to the Hrana decoder:
// it returns a response or throws ds::Error(unavailable), never anything else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"
#include "db/turso/hrana_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    (void)ds::db::hrana::decode_pipeline_response(body);
  } catch (const ds::Error& e) {
    if (e.code() != ds::Errc::unavailable) std::abort();
  }
  (void)ds::db::hrana::base64_decode(body);
  return 0;
}
