#pragma once
// drizzle-kit's sqlite snapshot (version "6") <-> the runtime schema model, and the renames
// a migration records in its `_meta`. Format: ../shared/spec/migrations.md.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/schema/model.hpp"

namespace ds::db::migrate {

inline constexpr std::string_view kNoSnapshotId = "00000000-0000-0000-0000-000000000000";

struct ColumnRename {
  std::string table;  // the table's name after this migration
  std::string from;
  std::string to;
  bool operator==(const ColumnRename&) const = default;
};

// Renames chosen for one migration (never guessed: they come from `--rename`).
struct Renames {
  std::vector<std::pair<std::string, std::string>> tables;  // old name -> new name
  std::vector<ColumnRename> columns;
  bool empty() const noexcept { return tables.empty() && columns.empty(); }
};

struct Snapshot {
  std::string id;
  std::string prev_id{kNoSnapshotId};
  schema::Schema schema;
  Renames renames;  // `_meta`
};

// The snapshot as drizzle-kit writes it: spec key order, tables sorted by name, 2-space
// indentation, no trailing newline. `custom_layout` gives the key order drizzle-kit uses for a
// `--custom` migration's snapshot (id, prevId first; `_meta` as columns, schemas, tables).
std::string to_json(const Snapshot& snapshot, bool custom_layout = false);

// Parses a snapshot, whatever its key order. Throws ds::Error(validation) naming `source`.
Snapshot snapshot_from_json(std::string_view text, std::string_view source);

}  // namespace ds::db::migrate
