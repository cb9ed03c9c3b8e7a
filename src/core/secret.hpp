#pragma once
// A value that must never reach a log, an error body or a file by accident: it formats as
// "***" and only reveal() gives the text back.
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace ds {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }

 private:
  std::string value_;
};

// Compares without leaking the position of the first difference through timing.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace ds

template <>
struct fmt::formatter<ds::Secret> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const ds::Secret&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
