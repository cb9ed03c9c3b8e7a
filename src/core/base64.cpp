#include "core/base64.hpp"

#include <sodium.h>

// libsodium's codecs are pure functions: they need no sodium_init.
namespace ds {

void append_base64(std::string& out, std::span<const unsigned char> bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  const std::size_t start = out.size();
  const std::size_t len = sodium_base64_encoded_len(bytes.size(), kVariant);  // with the NUL
  out.resize(start + len);
  sodium_bin2base64(out.data() + start, len, bytes.data(), bytes.size(), kVariant);
  out.pop_back();
}

std::optional<std::size_t> base64_decode(std::string_view text, std::span<unsigned char> out) {
  // Text ending in '=' must be padded exactly; any other text is read as unpadded (which
  // also accepts padded text that needs no padding).
  const int variant = text.ends_with('=') ? sodium_base64_VARIANT_ORIGINAL
                                          : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  std::size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        variant) != 0) {
    sodium_memzero(out.data(), out.size());
    return std::nullopt;
  }
  return len;
}

std::optional<std::vector<unsigned char>> base64_decode(std::string_view text) {
  std::vector<unsigned char> out(text.size() / 4 * 3 + 2);  // the most unpadded text can hold
  const auto len = base64_decode(text, out);
  if (!len) return std::nullopt;
  out.resize(*len);
  return out;
}

}  // namespace ds
