#include "db/sqlite_result_code.hpp"

#include <sqlite3.h>

namespace ds::db {

Errc classify_sqlite_result_code(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return Errc::constraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Errc::busy;
    case SQLITE_FULL:
      return Errc::storage_full;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL: return Errc::io;
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_AUTH: return Errc::misuse;
    default: return Errc::internal;
  }
}

}  // namespace ds::db
