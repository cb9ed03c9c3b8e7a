#include "core/database_type.hpp"

namespace ds {

std::optional<DatabaseType> parse_database_type(std::string_view text) noexcept {
  if (text == "sqlite") return DatabaseType::sqlite;
  if (text == "turso") return DatabaseType::turso;
  return std::nullopt;
}

std::string_view to_string(DatabaseType type) noexcept {
  switch (type) {
    case DatabaseType::sqlite:
      return "sqlite";
    case DatabaseType::turso:
      return "turso";
  }
  return "sqlite";
}

}  // namespace ds
