#include "plugins/shared_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "core/error.hpp"

namespace ds::plugins {
namespace {

Error refused(const std::filesystem::path& library, std::string_view why) {
  return Error(Errc::validation, fmt::format("plugin {} refused: {}", library.string(), why));
}

// Closes a library that was refused: nothing of it is referenced yet.
struct CloseUnlessKept {
  void* handle;
  ~CloseUnlessKept() {
    if (handle) dlclose(handle);
  }
};

}  // namespace

PluginPtr load_shared_library(const std::filesystem::path& library) {
  // RTLD_NOW: a symbol the server does not export fails here, with its name, not at first
  // call. RTLD_LOCAL: one plugin's symbols never resolve another's.
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw refused(library, fmt::format("cannot be loaded: {}", dlerror()));
  CloseUnlessKept guard{handle};

  using EntryFn = const DsPluginEntry* (*)();
  void* symbol = dlsym(handle, kEntrySymbol);
  if (!symbol) {
    throw refused(library, fmt::format("it exports no '{}' (build it with DEPLOYSTACK_PLUGIN(Type))",
                                       kEntrySymbol));
  }
  const DsPluginEntry* entry = reinterpret_cast<EntryFn>(symbol)();
  if (!entry) throw refused(library, "its entry point returned nothing");
  // abi_version first, alone: nothing after it can be trusted until it matches.
  if (entry->abi_version != kAbiVersion) {
    throw refused(library, fmt::format("it was built for plugin ABI version {}, this server speaks "
                                       "version {}; rebuild it against this server's plugin SDK",
                                       entry->abi_version, kAbiVersion));
  }
  if (!entry->toolchain || std::strcmp(entry->toolchain, DS_PLUGIN_TOOLCHAIN) != 0) {
    throw refused(library, fmt::format("it was built with '{}', this server with '{}'; C++ objects "
                                       "cannot cross between the two, rebuild it with the same toolchain",
                                       entry->toolchain ? entry->toolchain : "(unknown)",
                                       DS_PLUGIN_TOOLCHAIN));
  }
  if (!entry->create || !entry->destroy) throw refused(library, "its entry lacks create/destroy");
  Plugin* instance = nullptr;
  try {
    instance = entry->create();
  } catch (const std::exception& e) {
    throw refused(library, fmt::format("its constructor threw: {}", e.what()));
  }
  if (!instance) throw refused(library, "its factory returned no instance");
  guard.handle = nullptr;  // kept open for the life of the process
  return PluginPtr(instance, PluginDeleter{entry->destroy});
}

std::vector<std::filesystem::path> find_plugin_libraries(const std::filesystem::path& plugins_dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> found;
  std::error_code ec;
  if (!fs::is_directory(plugins_dir, ec)) return found;
  for (const auto& folder : fs::directory_iterator(plugins_dir)) {
    if (folder.path().extension() == ".so") {
      spdlog::warn("plugin {} ignored: put each plugin in its own folder under {}",
                   folder.path().string(), plugins_dir.string());
      continue;
    }
    if (!folder.is_directory()) continue;
    std::vector<fs::path> libs;
    for (const auto& file : fs::directory_iterator(folder.path())) {
      if (file.is_regular_file() && file.path().extension() == ".so") libs.push_back(file.path());
    }
    if (libs.size() > 1) {
      throw Error(Errc::validation,
                  fmt::format("plugin folder {} holds {} .so files; one plugin per folder",
                              folder.path().string(), libs.size()));
    }
    if (!libs.empty()) found.push_back(std::move(libs.front()));
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace ds::plugins
