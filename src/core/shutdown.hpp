#pragma once
// A process-wide "give up blocking I/O" flag. The server raises it when its grace period ends,
// so a peer that never answers (a hung Turso server, a silent proxy) cannot hold the exit:
// blocking calls that can wait on the network (HTTP requests, retry backoffs) check it and
// fail with ds::Error(unavailable) instead of waiting out their own timeouts.
namespace ds {

// Raises the flag; it stays raised for the life of the process. Async-signal-safe.
void abandon_blocking_io() noexcept;
// Whether abandon_blocking_io() has been called.
bool blocking_io_abandoned() noexcept;

}  // namespace ds
