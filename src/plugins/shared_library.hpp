#pragma once
// Loading one shared-library plugin: dlopen, the single C entry point, the ABI and toolchain
// checks, then the instance. Libraries are never dlclose'd: the router keeps handlers whose
// code lives in them until the process exits.
#include <filesystem>
#include <memory>
#include <vector>

#include "plugins/plugin.hpp"

namespace ds::plugins {

// Owns a plugin instance and frees it with the allocator it came from.
struct PluginDeleter {
  void (*destroy)(Plugin*) = nullptr;  // null: plain delete (built-in plugins)
  void operator()(Plugin* p) const noexcept {
    if (destroy) {
      destroy(p);
    } else {
      delete p;
    }
  }
};
using PluginPtr = std::unique_ptr<Plugin, PluginDeleter>;

// Loads the plugin in `library`. Throws ds::Error(validation) with a message naming the file
// when it cannot be opened, lacks the entry point, was built for another ABI version or
// toolchain, or its factory fails.
PluginPtr load_shared_library(const std::filesystem::path& library);

// The plugin libraries under `plugins_dir`: one folder per plugin, holding exactly one `.so`
// (`<plugins_dir>/<folder>/<anything>.so`), sorted by path. Every entry skipped gets one log
// line saying why (a missing PLUGINS_PATH, a file, a dangling symlink, a folder without a
// `.so`). An entry that cannot be checked (a symlink loop, an unreadable folder) throws
// ds::Error(validation) naming it when `strict`, else is logged and skipped. Throws for a
// folder with several `.so` files.
std::vector<std::filesystem::path> find_plugin_libraries(const std::filesystem::path& plugins_dir,
                                                         bool strict = true);

}  // namespace ds::plugins
