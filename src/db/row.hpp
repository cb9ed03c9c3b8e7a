#pragma once
// Reading a statement's rows as the driver steps through them, without building a Result:
// Connection::stream() hands each row to a RowSink as a RowView whose cells are borrowed
// (ValueView). This is the typed query API's read path; Result is the owning alternative.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "db/value.hpp"

namespace ds::db {

class Result;

// A Value borrowed from the row being read: the same five storage classes, nothing owned.
// Valid only while the sink that was given the row runs.
using ValueView =
    std::variant<std::nullptr_t, std::int64_t, double, std::string_view, std::span<const std::uint8_t>>;

// One row of a result while it is being read.
class RowView {
 public:
  virtual std::size_t size() const noexcept = 0;  // the number of columns
  // The cell of `column` (< size()). Text may hold NUL bytes: use the view's size.
  virtual ValueView operator[](std::size_t column) const = 0;

 protected:
  ~RowView() = default;
};

// Receives each row of a statement in order. Returning false stops the read (the rows
// after it are not stepped to); throwing stops it too and the driver rethrows. Either way
// the statement is left ready for reuse.
class RowSink {
 public:
  virtual bool row(const RowView& row) = 0;

 protected:
  ~RowSink() = default;
};

// A RowSink calling `on_row(const RowView&)`, which returns void (read every row) or bool.
template <class F>
class RowSinkFn final : public RowSink {
 public:
  explicit RowSinkFn(F on_row) : on_row_(std::move(on_row)) {}
  bool row(const RowView& r) override {
    if constexpr (std::is_void_v<std::invoke_result_t<F&, const RowView&>>) {
      on_row_(r);
      return true;
    } else {
      return on_row_(r);
    }
  }

 private:
  F on_row_;
};
template <class F>
RowSinkFn<std::decay_t<F>> row_sink(F&& on_row) {
  return RowSinkFn<std::decay_t<F>>(std::forward<F>(on_row));
}

// Hands one row of owned cells to `sink`; returns what the sink returned (how a driver that
// decodes rows one at a time streams them).
bool stream_row(std::span<const Value> cells, RowSink& sink);

// Hands each row of an already collected `result` to `sink` (how a driver without its own
// streaming path streams, and how batch() results are decoded).
void stream_rows(const Result& result, RowSink& sink);

}  // namespace ds::db
