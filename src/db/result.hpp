#pragma once
// What a statement gives back, the same for every driver.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "db/value.hpp"

namespace ds::db {

class Result {
 public:
  std::vector<std::string> columns;
  std::vector<Value> cells;  // row-major: row i is cells[i * columns.size() ...]
  std::int64_t rows_affected = 0;  // rows written by INSERT/UPDATE/DELETE; 0 for reads
  std::optional<std::int64_t> last_insert_rowid;  // set after a successful INSERT

  std::size_t row_count() const noexcept {
    return columns.empty() ? 0 : cells.size() / columns.size();
  }
  std::span<const Value> row(std::size_t i) const noexcept {
    return {cells.data() + i * columns.size(), columns.size()};
  }
  std::span<Value> row(std::size_t i) noexcept {
    return {cells.data() + i * columns.size(), columns.size()};
  }
};

}  // namespace ds::db
