#include "core/log.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "core/error.hpp"

namespace ds {

void init_logging(std::string_view level) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    throw Error(Errc::validation,
                fmt::format("LOG_LEVEL must be one of trace, debug, info, warn, error, critical, off; got '{}'", level));
  }
  auto logger = spdlog::stderr_logger_mt("deploystack");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace ds
