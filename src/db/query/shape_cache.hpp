#pragma once
// SQL text built once per query shape: the one cache of rendered SQL. A shape fixed by the
// query's type is built once per process (sql_for_type); a shape that also depends on which
// optional columns are set (insert, update) is cached per thread under that column mask
// (sql_for_shape), so no lock is taken on the hot path. A query whose text depends on its
// values (an in_ list) is rendered into a caller's scratch string instead.
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>

namespace ds::db::query {

using ShapeKey = std::array<std::uint64_t, 2>;

template <class QueryType, class Render>
const std::string& sql_for_type(Render&& render) {
  static const std::string sql = [&] {
    std::string s;
    render(s);
    return s;
  }();
  return sql;
}

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
