// core/base64: libsodium's codec as the project uses it (padded out, padded or unpadded in).
#include "core/base64.hpp"

#include <gtest/gtest.h>

#include <array>

namespace ds {
namespace {

std::string encode(std::string_view text) {
  std::string out;
  append_base64(out, {reinterpret_cast<const unsigned char*>(text.data()), text.size()});
  return out;
}

std::optional<std::string> decode(std::string_view text) {
  const auto bytes = base64_decode(text);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

// RFC 4648, section 10.
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kVectors = {{
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
}};

TEST(Base64, EncodesTheRfcVectorsPadded) {
  for (const auto& [plain, b64] : kVectors) EXPECT_EQ(encode(plain), b64) << plain;
}

TEST(Base64, AppendsAndLeavesRoomForOneMoreCharacter) {
  std::string out = "v1:";
  append_base64(out, std::array<unsigned char, 2>{0, 1});
  EXPECT_EQ(out, "v1:AAE=");
  EXPECT_GT(out.capacity(), out.size());
}

TEST(Base64, DecodesTheRfcVectorsPaddedOrNot) {
  for (const auto& [plain, b64] : kVectors) {
    EXPECT_EQ(decode(b64), plain) << b64;
    std::string_view unpadded = b64;
    while (unpadded.ends_with('=')) unpadded.remove_suffix(1);
    EXPECT_EQ(decode(unpadded), plain) << unpadded;
  }
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
  for (std::size_t n = 0; n < 70; ++n) {
    std::vector<unsigned char> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(i * 37 + 11);
    std::string text;
    append_base64(text, b);
    EXPECT_EQ(text.size() % 4, 0u);
    EXPECT_EQ(base64_decode(text), b);
  }
}

TEST(Base64, RejectsWhatIsNotCanonicalBase64) {
  for (const std::string_view bad : {
           "A*==",      // outside the alphabet
           "A",         // a lone character holds no byte
           "AAAAA",     // nor does a lone fifth
           "AA=",       // padding cut short
           "AAE==",     // padding past the block
           "=AAA",      // padding first
           "AA==AA==",  // padding inside
           "AAF",       // bits past the last byte are not zero
           "AA-_",      // the URL-safe alphabet
           "Zm9v\n",    // whitespace
       }) {
    EXPECT_EQ(base64_decode(bad), std::nullopt) << bad;
  }
}

TEST(Base64, DecodesIntoAFixedBufferAndWipesItOnFailure) {
  std::array<unsigned char, 2> out{};
  EXPECT_EQ(base64_decode("AAE", out), 2u);
  EXPECT_EQ(out, (std::array<unsigned char, 2>{0, 1}));
  EXPECT_EQ(base64_decode("AAEC", out), std::nullopt);  // three bytes do not fit
  EXPECT_EQ(out, (std::array<unsigned char, 2>{}));
  out = {7, 7};
  EXPECT_EQ(base64_decode("A*==", out), std::nullopt);
  EXPECT_EQ(out, (std::array<unsigned char, 2>{}));
}

}  // namespace
}  // namespace ds
