#pragma once
// meta/_journal.json: the ordered list of migrations (the runner never looks at directory order).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ds::db::migrate {

struct JournalEntry {
  int idx = 0;
  std::string version = "6";
  std::int64_t when = 0;  // generation time, ms since the epoch; becomes created_at when applied
  std::string tag;        // NNNN_name: the file is <tag>.sql
  bool breakpoints = true;
};

struct Journal {
  std::vector<JournalEntry> entries;
};

// Throws ds::Error(validation) naming `source` when the text is not a sqlite journal.
Journal journal_from_json(std::string_view text, std::string_view source);
// drizzle-kit's layout: spec key order, 2-space indentation, no trailing newline.
std::string to_json(const Journal& journal);

}  // namespace ds::db::migrate
