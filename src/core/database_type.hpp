#pragma once
// The database types an installation can use, parsed from text in one place (DB_TYPE, the
// selection file, the setup request), so the rest of the code compares an enum, never strings.
#include <optional>
#include <string_view>

namespace ds {

enum class DatabaseType { sqlite, turso };

// "sqlite" or "turso", exactly (as the API contract and the selection file spell them).
std::optional<DatabaseType> parse_database_type(std::string_view text) noexcept;
std::string_view to_string(DatabaseType type) noexcept;

// For messages: the accepted spellings.
inline constexpr std::string_view kDatabaseTypeNames = "sqlite, turso";

}  // namespace ds
