#pragma once
// The built-in settings modules. Each lives in its own file here and is listed once in
// all_modules.cpp: an explicit list, because a self-registering static object in a static
// library is dropped by the linker when nothing references its file (a unit test checks that
// every file in this folder is listed).
#include <span>

#include "settings/definition.hpp"

namespace ds::settings::modules {

const Module& global();
const Module& smtp();
const Module& github_oauth();

// Every built-in module, in declaration order.
std::span<const Module* const> all_modules();

}  // namespace ds::settings::modules
