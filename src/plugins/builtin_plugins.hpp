#pragma once
// The plugins compiled into the server. A built-in plugin is a Plugin subclass in its own
// folder under src/plugins/, listed once in builtin_plugins.cpp (an explicit list: a
// self-registering static object in a static library is dropped by the linker).
#include <vector>

#include "plugins/plugin_host.hpp"

namespace ds::plugins {

std::vector<PluginFactory> builtin_plugins();

}  // namespace ds::plugins
