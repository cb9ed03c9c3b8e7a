#pragma once
// SQL text built once per query shape. A shape fixed by the query's type is built once per
// process; a shape that also depends on which optional columns are set (insert, update) is
// cached per thread under that column mask, so no lock is taken on the hot path.
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>

namespace ds::db::query {

using ShapeKey = std::array<std::uint64_t, 2>;

template <class QueryType, class Render>
const std::string& sql_for_shape(ShapeKey key, Render&& render) {
  // A deque: references handed out stay valid when later shapes are added.
  thread_local std::deque<std::pair<ShapeKey, std::string>> cache;
  for (const auto& [k, sql] : cache) {
    if (k == key) return sql;
  }
  std::string sql;
  render(sql);
  cache.emplace_back(key, std::move(sql));
  return cache.back().second;
}

}  // namespace ds::db::query
