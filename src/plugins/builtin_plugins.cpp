#include "plugins/builtin_plugins.hpp"

namespace ds::plugins {

std::vector<PluginFactory> builtin_plugins() {
  // None yet: the example plugin ships as a shared library (plugins/example/) to exercise the
  // loader; a built-in one would be added here as `[] { return PluginPtr(new MyPlugin()); }`.
  return {};
}

}  // namespace ds::plugins
