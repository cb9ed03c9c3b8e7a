// Feeds arbitrary text as the body of a Turso `POST /v2/pipeline` answer to the Hrana decoder:
// it returns a response or throws ds::Error(unavailable), never anything else. The same text
// as a blob's base64: what decodes re-encodes to text that decodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/base64.hpp"
#include "core/error.hpp"
#include "db/turso/hrana_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    (void)ds::db::hrana::decode_pipeline_response(body);
  } catch (const ds::Error& e) {
    if (e.code() != ds::Errc::unavailable) std::abort();
  }
  if (const auto bytes = ds::base64_decode(body)) {
    std::string again;
    ds::append_base64(again, *bytes);
    if (ds::base64_decode(again) != bytes) std::abort();
  }
  return 0;
}
