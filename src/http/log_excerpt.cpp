#include "http/log_excerpt.hpp"

namespace ds::http {

std::string log_excerpt(std::string_view text, std::size_t max_bytes) {
  constexpr char hex[] = "0123456789abcdef";
  const bool cut = text.size() > max_bytes;
  if (cut) text = text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && c != '"' && c != '\\') {
      out += c;
    } else {
      const char escaped[] = {'\\', 'x', hex[u >> 4], hex[u & 0xF]};
      out.append(escaped, sizeof escaped);
    }
  }
  if (cut) out += "...";
  return out;
}

}  // namespace ds::http
