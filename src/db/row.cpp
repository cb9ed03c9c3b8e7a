#include "db/row.hpp"

#include "db/result.hpp"

namespace ds::db {
namespace {

class ResultRow final : public RowView {
 public:
  explicit ResultRow(std::span<const Value> cells) noexcept : cells_(cells) {}
  std::size_t size() const noexcept override { return cells_.size(); }
  ValueView operator[](std::size_t column) const override {
    return std::visit(
        [](const auto& v) -> ValueView {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) return std::string_view(v);
          else if constexpr (std::is_same_v<T, Blob>) return std::span<const std::uint8_t>(v);
          else return v;
        },
        cells_[column]);
  }

 private:
  std::span<const Value> cells_;
};

}  // namespace

bool stream_row(std::span<const Value> cells, RowSink& sink) {
  return sink.row(ResultRow(cells));
}

void stream_rows(const Result& result, RowSink& sink) {
  const std::size_t n = result.row_count();
  for (std::size_t i = 0; i < n; ++i) {
    if (!stream_row(result.row(i), sink)) return;
  }
}

}  // namespace ds::db
