// core/json_string: the hand-written JSON string writer of responses and Hrana requests.
#include "core/json_string.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/error.hpp"

namespace ds {
namespace {

std::string json(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(JsonString, PlainTextIsQuotedAsIs) {
  EXPECT_EQ(json(""), R"("")");
  EXPECT_EQ(json("Project 1"), R"("Project 1")");
  std::string out = "[";
  append_json_string(out, "a");
  EXPECT_EQ(out, R"(["a")");
}

TEST(JsonString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json("say \"hi\"\\"), R"("say \"hi\"\\")");
  EXPECT_EQ(json("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(json(std::string_view("\0\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f)" "\x7f\"");
  EXPECT_EQ(json("x\x1fy"), R"("x\u001fy")");
}

TEST(JsonString, KeepsUtf8AndRejectsWhatIsNot) {
  EXPECT_EQ(json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  for (std::string_view bad : {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"}) {
    EXPECT_THROW(json(bad), Error) << bad;
  }
}

}  // namespace
}  // namespace ds

namespace ds {
namespace {

// The scan reads 8 bytes at a time: every ASCII byte at every position of a longer text is
// escaped exactly as a byte-by-byte reference does, and a lone non-ASCII byte is refused.
TEST(JsonString, EveryByteAtEveryPositionOfAWordScan) {
  auto reference = [](unsigned char b) -> std::string {
    switch (b) {
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        break;
    }
    if (b < 0x20) return fmt::format("\\u{:04x}", b);
    return std::string(1, static_cast<char>(b));
  };
  for (unsigned b = 0; b < 256; ++b) {
    for (std::size_t at = 0; at < 19; ++at) {
      std::string text(19, 'a');
      text[at] = static_cast<char>(b);
      std::string out;
      if (b >= 0x80) {
        EXPECT_THROW(append_json_string(out, text), Error) << b << " at " << at;
        continue;
      }
      const std::string expected = "\"" + text.substr(0, at) +
                                   reference(static_cast<unsigned char>(b)) + text.substr(at + 1) +
                                   "\"";
      ASSERT_EQ((append_json_string(out, text), out), expected) << b << " at " << at;
    }
  }
}

}  // namespace
}  // namespace ds
