#pragma once
// SQLite's result codes as ds::Errc: the one mapping both drivers use (the SQLite driver for
// its own codes, the Turso driver for the SQLITE_* codes libSQL servers send back), so the
// same failure is the same error whichever database runs.
#include "core/error.hpp"

namespace ds::db {

// `rc` may be a primary or an extended result code.
Errc classify_sqlite_result_code(int rc) noexcept;

}  // namespace ds::db
