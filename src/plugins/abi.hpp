#pragma once
// The binary contract between the server and a shared-library plugin: ONE exported C entry
// point returning a C struct whose first field is the ABI version. The host reads that field
// before touching anything else, so a plugin built against another SDK is refused with a
// message instead of crashing on a C++ layout it does not share.
//
// Beyond the entry struct, host and plugin exchange C++ objects (std::string, std::function,
// the schema model ...). That is only sound when both are built by the same compiler, with the
// same standard library ABI and the same sanitizer instrumentation: `toolchain` records those
// and the host refuses a plugin whose toolchain differs from its own.
#include <cstdint>

namespace ds::plugins {

class Plugin;

// Bump whenever any type of the SDK headers (the list in cmake/PluginSDKHeaders.cmake)
// changes layout or a virtual function is added, removed or reordered.
// 2: Connection split into Executor / Transaction / Connection; on_database_init takes a
// db::Transaction&.
// 3: routes carry a RouteDoc (http/route_doc.hpp): Router::Route gains it, Routes::add takes it.
inline constexpr std::uint32_t kAbiVersion = 3;

// The exported symbol's name.
inline constexpr const char* kEntrySymbol = "deploystack_plugin_entry";

}  // namespace ds::plugins

#define DS_PLUGIN_STRINGIFY_(x) #x
#define DS_PLUGIN_STRINGIFY(x) DS_PLUGIN_STRINGIFY_(x)
#if defined(__SANITIZE_ADDRESS__)
#define DS_PLUGIN_SANITIZER_ "asan"
#elif defined(__SANITIZE_THREAD__)
#define DS_PLUGIN_SANITIZER_ "tsan"
#else
#define DS_PLUGIN_SANITIZER_ "none"
#endif
// The build facts that must match between host and plugin for C++ objects to cross over.
#define DS_PLUGIN_TOOLCHAIN                                                         \
  "gcc " __VERSION__ "; libstdc++ cxx11-abi " DS_PLUGIN_STRINGIFY(_GLIBCXX_USE_CXX11_ABI) \
  "; sanitizer " DS_PLUGIN_SANITIZER_

extern "C" {
// Returned by `deploystack_plugin_entry()`. Field order is frozen: abi_version stays first.
struct DsPluginEntry {
  std::uint32_t abi_version;
  const char* toolchain;                     // DS_PLUGIN_TOOLCHAIN of the plugin's build
  ds::plugins::Plugin* (*create)();          // a new instance, owned by the host
  void (*destroy)(ds::plugins::Plugin*);     // frees it with the plugin's own allocator
};
}

// Exports `Type` (default-constructible, derived from ds::plugins::Plugin) as this shared
// library's plugin. Use once per library, at namespace scope.
#define DEPLOYSTACK_PLUGIN(Type)                                                               \
  extern "C" __attribute__((visibility("default"))) const DsPluginEntry* deploystack_plugin_entry() { \
    static const DsPluginEntry entry{                                                          \
        ::ds::plugins::kAbiVersion, DS_PLUGIN_TOOLCHAIN,                                       \
        []() -> ::ds::plugins::Plugin* { return new Type(); },                                 \
        [](::ds::plugins::Plugin* p) { delete p; }};                                           \
    return &entry;                                                                             \
  }
