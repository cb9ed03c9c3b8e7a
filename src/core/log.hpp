#pragma once
// Logging: spdlog's default logger, one line per event on stderr, `key=value` fields.
// Never pass a secret in clear: wrap it in ds::Secret, which prints as ***.
#include <spdlog/spdlog.h>

#include <string_view>

namespace ds {

// Level names: trace, debug, info, warn, error, critical, off. Throws ds::Error(validation)
// for another name.
void init_logging(std::string_view level);

}  // namespace ds
