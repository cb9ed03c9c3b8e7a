#pragma once
// Logging: spdlog's default logger, one line per event on stderr, `key=value` fields.
// Never pass a secret in clear: wrap it in ds::Secret, which prints as ***.
#include <spdlog/spdlog.h>

#include <string_view>

namespace ds {

// Level names: trace, debug, info, warn, error, critical, off. Formats: "text" (the default:
// `<UTC time> level=<level> <message>`) or "json" (one JSON object per line with pino's field
// names, for log pipelines: see core/log.cpp). Throws ds::Error(validation) for another name.
void init_logging(std::string_view level, std::string_view format = "text");

}  // namespace ds
