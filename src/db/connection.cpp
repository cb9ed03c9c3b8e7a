#include "db/connection.hpp"

namespace ds::db {

std::vector<Outcome> Connection::execute_each(std::span<const Statement> statements) {
  std::vector<Outcome> out;
  out.reserve(statements.size());
  for (const auto& s : statements) {
    try {
      out.push_back({execute(s.sql, s.params), std::nullopt});
    } catch (const Error& e) {
      out.push_back({std::nullopt, e});
    }
  }
  return out;
}

}  // namespace ds::db
