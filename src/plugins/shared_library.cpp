#include "plugins/shared_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

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
    throw refused(
        library,
        fmt::format("it exports no '{}' (build it with DEPLOYSTACK_PLUGIN(Type))", kEntrySymbol));
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
    throw refused(
        library,
        fmt::format("it was built with '{}', this server with '{}'; C++ objects "
                    "cannot cross between the two, rebuild it with the same toolchain",
                    entry->toolchain ? entry->toolchain : "(unknown)", DS_PLUGIN_TOOLCHAIN));
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

namespace {

namespace fs = std::filesystem;

// What is wrong with a plugin folder that cannot be used: strict start-up stops on it, a
// lenient one logs it and goes on without it.
void refuse_entry(const fs::path& entry, const std::string& why, bool strict) {
  const std::string message = fmt::format("plugin entry {} refused: {}", entry.string(), why);
  if (strict)
    throw Error(Errc::validation,
                message + " (fix or remove it, or set PLUGINS_STRICT=0 to start without it)");
  spdlog::error("{}; starting without it (PLUGINS_STRICT=0)", message);
}

// The entry's own type and, for a symlink, its target's; false (after logging) when the
// entry is skipped.
bool entry_is_folder(const fs::directory_entry& entry, const fs::path& plugins_dir, bool strict) {
  std::error_code ec;
  const auto self = entry.symlink_status(ec);
  const auto target = entry.status(ec);
  if (fs::is_symlink(self) && target.type() == fs::file_type::not_found) {
    spdlog::warn("plugin entry {} ignored: a symbolic link to something that does not exist",
                 entry.path().string());
    return false;
  }
  if (ec) {
    refuse_entry(entry.path(), fmt::format("it cannot be checked ({})", ec.message()), strict);
    return false;
  }
  if (entry.path().extension() == ".so") {
    spdlog::warn("plugin {} ignored: put each plugin in its own folder under {}",
                 entry.path().string(), plugins_dir.string());
    return false;
  }
  if (!fs::is_directory(target)) {
    spdlog::info("plugin entry {} ignored: not a folder (each plugin is a folder holding one .so)",
                 entry.path().string());
    return false;
  }
  return true;
}

// The one `.so` of a plugin folder; nullopt (after logging) when there is none to load.
std::optional<fs::path> library_of(const fs::path& folder, bool strict) {
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) {
    refuse_entry(folder, fmt::format("its files cannot be listed ({})", ec.message()), strict);
    return std::nullopt;
  }
  std::vector<fs::path> libs;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const auto& file = *it;
    if (file.path().extension() != ".so") continue;  // migrations, data: the plugin's own
    const auto self = file.symlink_status(ec);
    const auto target = file.status(ec);
    if (fs::is_symlink(self) && target.type() == fs::file_type::not_found) {
      spdlog::warn("plugin file {} ignored: a symbolic link to something that does not exist",
                   file.path().string());
    } else if (ec) {
      refuse_entry(file.path(), fmt::format("it cannot be checked ({})", ec.message()), strict);
      return std::nullopt;
    } else if (!fs::is_regular_file(target)) {
      spdlog::warn("plugin file {} ignored: not a regular file", file.path().string());
    } else {
      libs.push_back(file.path());
    }
  }
  if (ec) {
    refuse_entry(folder, fmt::format("its files cannot be listed ({})", ec.message()), strict);
    return std::nullopt;
  }
  if (libs.size() > 1) {
    throw Error(Errc::validation,
                fmt::format("plugin folder {} holds {} .so files; one plugin per folder",
                            folder.string(), libs.size()));
  }
  if (libs.empty()) {
    spdlog::info("plugin folder {} ignored: it holds no .so file", folder.string());
    return std::nullopt;
  }
  return std::move(libs.front());
}

}  // namespace

std::vector<std::filesystem::path> find_plugin_libraries(const std::filesystem::path& plugins_dir,
                                                         bool strict) {
  std::vector<fs::path> found;
  std::error_code ec;
  const auto st = fs::status(plugins_dir, ec);
  if (st.type() == fs::file_type::not_found) {
    spdlog::info("PLUGINS_PATH {} does not exist: no plugins loaded from it", plugins_dir.string());
    return found;
  }
  if (ec || !fs::is_directory(st)) {
    refuse_entry(plugins_dir,
                 ec ? fmt::format("PLUGINS_PATH cannot be checked ({})", ec.message())
                    : std::string("PLUGINS_PATH is not a folder"),
                 strict);
    return found;
  }
  fs::directory_iterator it(plugins_dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!entry_is_folder(*it, plugins_dir, strict)) continue;
    if (auto library = library_of(it->path(), strict)) found.push_back(std::move(*library));
  }
  if (ec)
    refuse_entry(plugins_dir, fmt::format("PLUGINS_PATH cannot be listed ({})", ec.message()),
                 strict);
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace ds::plugins
