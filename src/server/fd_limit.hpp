#pragma once
// File descriptors for connections: the soft limit raised as far as allowed, and a connection
// cap below it so that the database, Turso's sockets and plugins always find one.
#include <cstddef>

namespace ds::http {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in force.
std::size_t raise_fd_limit();

// The connection cap for `fd_limit` descriptors: the limit minus a reserve (a quarter, at
// least 16, at most 256), at least 1.
std::size_t default_max_connections(std::size_t fd_limit);

}  // namespace ds::http
