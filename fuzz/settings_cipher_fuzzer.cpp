// Feeds arbitrary text as a stored setting value to the settings cipher: decrypt answers a
// plaintext or nullopt, never anything else, and the same bytes as a plaintext come back from
// encrypt then decrypt unchanged (and not under another setting's key).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "settings/cipher.hpp"

namespace {
const ds::settings::Cipher& cipher() {
  // A fixed key: the seed corpus holds real ciphertexts made under it.
  static const ds::settings::Cipher c(
      ds::settings::Cipher::Key{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f});
  return c;
}
constexpr std::string_view kSettingKey = "smtp.password";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cipher().decrypt(text, kSettingKey);
  (void)ds::settings::Cipher::looks_encrypted(text);
  const std::string stored = cipher().encrypt(text, kSettingKey);
  if (!ds::settings::Cipher::looks_encrypted(stored)) std::abort();
  if (cipher().decrypt(stored, kSettingKey) != text) std::abort();
  if (cipher().decrypt(stored, "smtp.username").has_value()) std::abort();
  return 0;
}
