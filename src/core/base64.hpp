#pragma once
// Base64 (RFC 4648, standard alphabet) through libsodium: the one codec for Hrana blobs,
// encrypted setting values and the key file.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ds {

// Appends `bytes` as padded base64. `out` keeps room for one more character, so appending a
// newline after a secret does not reallocate (and leave an unwiped copy behind).
void append_base64(std::string& out, std::span<const unsigned char> bytes);

// Decodes padded or unpadded text (peers send either) into `out`: the number of bytes written,
// or nullopt, with `out` wiped, when `text` is not canonical base64 or does not fit.
std::optional<std::size_t> base64_decode(std::string_view text, std::span<unsigned char> out);

// The same into a buffer of its own.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);

}  // namespace ds
