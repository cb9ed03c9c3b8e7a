// Feeds arbitrary bytes as persistent_data/db.selection.json to the selection reader, through
// a real file: it never throws, and a selection it calls valid is written back and read again
// as the same selection.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "setup/selection_file.hpp"

namespace {
namespace fs = std::filesystem;

fs::path make_folder() {
  const fs::path base =
      fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  std::string tmpl = (base / "ds-selection-fuzz-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

const fs::path& folder() {
  static const fs::path dir = make_folder();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path file = folder() / "db.selection.json";
  if (std::FILE* f = std::fopen(file.c_str(), "wb")) {
    if (size != 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
  } else {
    std::abort();
  }
  using ds::setup::SelectionRead;
  const SelectionRead read = ds::setup::read_selection(file);
  if (read.state == SelectionRead::State::absent) std::abort();  // the file is there
  if (read.state == SelectionRead::State::invalid && read.reason.empty()) std::abort();
  if (read.state == SelectionRead::State::valid) {
    ds::setup::write_selection(file, read.selection);
    const SelectionRead again = ds::setup::read_selection(file);
    if (again.state != SelectionRead::State::valid || again.selection.type != read.selection.type ||
        again.selection.selected_at != read.selection.selected_at ||
        again.selection.version != read.selection.version ||
        again.selection.sqlite_path != read.selection.sqlite_path) {
      std::abort();
    }
  }
  return 0;
}
