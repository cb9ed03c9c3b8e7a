#include "core/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ds::metrics {

void write_process_metrics(Writer& out) {
  // statm's second field: resident pages.
  std::ifstream statm("/proc/self/statm");
  long long pages_total = 0;
  long long pages_resident = 0;
  if (statm >> pages_total >> pages_resident) {
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes");
    out.sample("process_resident_memory_bytes", {},
               static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)));
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (!ec) {
    // The directory iterator's own descriptor is one of those counted.
    out.family("process_open_fds", "gauge", "Number of open file descriptors");
    out.sample("process_open_fds", {}, static_cast<double>(fds > 0 ? fds - 1 : 0));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.family("process_max_fds", "gauge", "Maximum number of open file descriptors");
    out.sample("process_max_fds", {}, static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace ds::metrics
