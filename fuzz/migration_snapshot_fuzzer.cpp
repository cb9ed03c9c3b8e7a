// Feeds arbitrary text as a drizzle-kit snapshot (meta/NNNN_snapshot.json) to the snapshot
// reader: it returns a snapshot or throws ds::Error(validation). A snapshot it accepts must
// survive a round trip through the writer unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.hpp"
#include "db/migrate/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace ds::db::migrate;
  Snapshot snapshot;
  try {
    snapshot = snapshot_from_json(text, "fuzz");
  } catch (const ds::Error& e) {
    if (e.code() != ds::Errc::validation) std::abort();
    return 0;
  }
  const std::string written = to_json(snapshot);
  if (to_json(snapshot_from_json(written, "round trip")) != written) std::abort();
  return 0;
}
