#pragma once
#include <string>

namespace ds {

// A random (version 4) UUID in its canonical lowercase form.
std::string uuid_v4();

}  // namespace ds
