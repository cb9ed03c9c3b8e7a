#include "server/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace ds::http {

std::size_t raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20
                                         : static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t default_max_connections(std::size_t fd_limit) {
  // Kept for the database files, Turso's sockets, plugins, the log: a quarter, 16 to 256.
  const std::size_t reserve = std::clamp<std::size_t>(fd_limit / 4, 16, 256);
  return fd_limit > reserve + 1 ? fd_limit - reserve : 1;
}

}  // namespace ds::http
