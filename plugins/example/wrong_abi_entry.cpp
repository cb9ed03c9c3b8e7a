// A library that claims another plugin ABI version: what a plugin built against a newer or
// older SDK looks like to the host. Only the tests load it (they expect it to be refused).
#include "plugins/abi.hpp"

extern "C" __attribute__((visibility("default"))) const DsPluginEntry* deploystack_plugin_entry() {
  static const DsPluginEntry entry{ds::plugins::kAbiVersion + 1, DS_PLUGIN_TOOLCHAIN, nullptr, nullptr};
  return &entry;
}
