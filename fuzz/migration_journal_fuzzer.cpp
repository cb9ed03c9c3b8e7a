// Feeds arbitrary text as meta/_journal.json to the migration journal reader: it returns a
// journal or throws ds::Error(validation). A journal it accepts must survive a round trip
// through the writer unchanged (what `db generate` writes back is what it read).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"
#include "db/migrate/journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace ds::db::migrate;
  Journal journal;
  try {
    journal = journal_from_json(text, "fuzz");
  } catch (const ds::Error& e) {
    if (e.code() != ds::Errc::validation) std::abort();
    return 0;
  }
  const std::string written = to_json(journal);
  if (to_json(journal_from_json(written, "round trip")) != written) std::abort();
  return 0;
}
