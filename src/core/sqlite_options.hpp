#pragma once
// What the SQLite driver is opened with besides its path: read from the environment by Config
// (SQLITE_*), taken as it is by db/sqlite/.
namespace ds {

// SQLITE_SYNCHRONOUS: what an acknowledged write survives (README, "Durability").
enum class SqliteSynchronous {
  normal,  // a process crash (the WAL is synced at each checkpoint, not at each commit)
  full,    // a power loss too: one fsync per commit, so per group of writes committed together
};

struct SqliteOptions {
  SqliteSynchronous synchronous = SqliteSynchronous::normal;
};

}  // namespace ds
