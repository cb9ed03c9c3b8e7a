#include "db/sqlite/sqlite_backup.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <thread>
#include <utility>

#include "core/atomic_file.hpp"
#include "db/migrate/runner.hpp"
#include "db/sqlite/sqlite_handle.hpp"

namespace ds::db {
namespace {

namespace fs = std::filesystem;

// A copy (or the file it was made from) that is not a sound database: why, for the caller to
// word (a damaged live database is the operator's problem; a damaged copy to restore is the
// input's).
struct BadCopy {
  std::string reason;
};

// One sqlite3 connection of this module's own, closed when it goes away.
class Handle {
 public:
  Handle(const fs::path& path, int flags, std::string_view what) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                   flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, nullptr);
    if (rc != SQLITE_OK) {
      try {
        throw_sqlite_error(db_, rc, fmt::format("cannot open {} {}", what, path.string()));
      } catch (...) {
        sqlite3_close_v2(db_);
        throw;
      }
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { sqlite3_close_v2(db_); }

  sqlite3* get() const noexcept { return db_; }

  // Closes now, so a failure to write the last pages is an error here, not lost in a destructor.
  void close(std::string_view context) {
    const int rc = sqlite3_close(std::exchange(db_, nullptr));
    if (rc != SQLITE_OK) throw_sqlite_error(nullptr, rc, context);
  }

 private:
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql, std::string_view context) : db_(db), context_(context) {
    const int rc =
        sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) throw_sqlite_error(db, rc, context_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(stmt_); }

  // Steps once: true on a row, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_sqlite_error(db_, rc, context_);
  }
  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : "";
  }
  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string context_;
};

// Each row's first column, as text.
std::vector<std::string> first_column(sqlite3* db, std::string_view sql, std::string_view context) {
  Stmt stmt(db, sql, context);
  std::vector<std::string> out;
  while (stmt.step()) out.push_back(stmt.text(0));
  return out;
}

// SQLite's word for a file that is not a database, or a damaged one.
bool damaged(const Error& e) {
  const int primary = e.native_code() & 0xff;
  return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

// The `__drizzle_migrations` rows by (created_at, hash); nullopt when there is no such table.
std::optional<std::vector<migrate::AppliedRow>> read_migrations(sqlite3* db) {
  const auto exists = first_column(
      db,
      fmt::format("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{}' "
                  "COLLATE NOCASE",
                  migrate::kTrackingTable),
      "read the migrations table");
  if (exists.empty()) return std::nullopt;
  Stmt stmt(
      db,
      fmt::format("SELECT hash, created_at FROM \"{}\" ORDER BY created_at, hash", exists.front()),
      "read the migrations");
  std::vector<migrate::AppliedRow> rows;
  while (stmt.step()) rows.push_back({stmt.text(0), stmt.int64(1)});
  return rows;
}

std::string describe(const std::optional<std::vector<migrate::AppliedRow>>& rows) {
  if (!rows) return "no migrations table";
  if (rows->empty()) return "no migrations";
  return fmt::format("{} migrations, the last {}", rows->size(), rows->back().hash);
}

bool same_rows(const std::vector<migrate::AppliedRow>& a,
               const std::vector<migrate::AppliedRow>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.hash == y.hash && x.created_at == y.created_at;
  });
}

// The backup API's step loop: `pages` at a time, the source free for others in between.
void copy_pages(sqlite3* src, sqlite3* dst, const BackupOptions& options) {
  struct Backup {
    sqlite3_backup* b;
    ~Backup() {
      if (b) sqlite3_backup_finish(b);
    }
  } backup{sqlite3_backup_init(dst, "main", src, "main")};
  if (!backup.b) throw_sqlite_error(dst, sqlite3_errcode(dst), "start the backup");
  const int pages = std::max(1, options.pages_per_step);
  auto busy_since = std::chrono::steady_clock::now();
  bool first = true;
  for (;;) {
    const int rc = sqlite3_backup_step(backup.b, pages);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      // Not expected (the source's snapshot is held, the copy is ours alone); give way briefly.
      if (std::chrono::steady_clock::now() - busy_since > std::chrono::seconds(30)) {
        throw_sqlite_error(dst, rc, "copy pages (busy for 30 s)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    busy_since = std::chrono::steady_clock::now();
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
      const int finished = sqlite3_backup_finish(std::exchange(backup.b, nullptr));
      (void)finished;
      // The step's own code: a damaged source reads as SQLITE_CORRUPT / SQLITE_NOTADB.
      throw_sqlite_error(nullptr, rc, "copy pages");
    }
    const int total = sqlite3_backup_pagecount(backup.b);
    if (first) {
      spdlog::info("backup copying pages={} pages_per_step={}", total, pages);
      first = false;
    }
    if (options.progress) options.progress(total - sqlite3_backup_remaining(backup.b), total);
    if (rc == SQLITE_DONE) break;
    if (options.pause_between_steps.count() > 0)
      std::this_thread::sleep_for(options.pause_between_steps);
  }
  const int rc = sqlite3_backup_finish(std::exchange(backup.b, nullptr));
  if (rc != SQLITE_OK) throw_sqlite_error(dst, rc, "finish the backup");
}

// Copies `source` into the existing empty file `tmp` and verifies the copy: integrity_check,
// and the same migrations as the source. Returns the copy's migrations (nullopt: it has no
// migrations table). Throws BadCopy when the source or the copy is not sound, ds::Error for the
// rest; `tmp` is the caller's to remove.
std::optional<std::vector<migrate::AppliedRow>> copy_and_verify(const fs::path& source,
                                                                const fs::path& tmp,
                                                                const BackupOptions& options) {
  try {
    Handle src(source, SQLITE_OPEN_READONLY, "database");
    // One read transaction for the whole copy: every step reads the same snapshot, so the
    // server's commits on its own connections neither restart the copy (the backup API starts
    // over when another connection writes the source) nor get into it halfway. In WAL mode a
    // reader holds no writer up.
    if (const int rc = sqlite3_exec(src.get(), "BEGIN", nullptr, nullptr, nullptr); rc != SQLITE_OK)
      throw_sqlite_error(src.get(), rc, "begin reading the database");
    first_column(src.get(), "SELECT count(*) FROM sqlite_master", "read the database");
    const auto source_migrations = read_migrations(src.get());

    Handle dst(tmp, SQLITE_OPEN_READWRITE, "copy");
    copy_pages(src.get(), dst.get(), options);
    // The pages came with the source's WAL flag; a copy is one self-contained file instead.
    first_column(dst.get(), "SELECT count(*) FROM sqlite_master", "read the copy");
    const auto mode = first_column(dst.get(), "PRAGMA journal_mode=DELETE", "set journal_mode");
    if (mode.empty() || mode.front() != "delete")
      throw Error(Errc::io, "the copy could not leave WAL mode");
    const auto integrity = first_column(dst.get(), "PRAGMA integrity_check(10)", "check the copy");
    if (integrity != std::vector<std::string>{"ok"}) {
      throw BadCopy{fmt::format("PRAGMA integrity_check says: {}", fmt::join(integrity, "; "))};
    }
    auto copied_migrations = read_migrations(dst.get());
    if (copied_migrations.has_value() != source_migrations.has_value() ||
        (copied_migrations && !same_rows(*copied_migrations, *source_migrations))) {
      throw Error(Errc::internal, fmt::format("the copy's {} do not match the source's ({}: {})",
                                              migrate::kTrackingTable, describe(copied_migrations),
                                              describe(source_migrations)));
    }
    dst.close("close the copy");
    return copied_migrations;
  } catch (const Error& e) {
    if (damaged(e)) throw BadCopy{e.what()};
    throw;
  }
}

void remove_temp(const fs::path& tmp) {
  std::error_code ec;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"})
    fs::remove(fs::path(tmp.string() + suffix), ec);
}

fs::path with_suffix(const fs::path& p, std::string_view suffix) {
  return fs::path(p.string() + std::string(suffix));
}

// Before the file is replaced: its WAL moved into it (journal_mode=DELETE checkpoints and
// deletes the WAL), so the kept previous file is whole on its own. Best effort: a database
// that cannot be opened (the damaged one a restore replaces) keeps its -wal beside the copy.
void fold_wal_into(const fs::path& database) {
  try {
    Handle old(database, SQLITE_OPEN_READWRITE, "current database");
    first_column(old.get(), "SELECT count(*) FROM sqlite_master", "read the current database");
    first_column(old.get(), "PRAGMA journal_mode=DELETE", "checkpoint the current database");
    old.close("close the current database");
  } catch (const Error& e) {
    spdlog::warn(
        "restore: the current database could not be checkpointed ({}); its -wal is "
        "kept beside the previous file",
        e.what());
  }
}

}  // namespace

VerifiedCopy sqlite_backup(const fs::path& source, const fs::path& file,
                           const BackupOptions& options) {
  std::error_code ec;
  if (!fs::exists(source, ec)) {
    throw Error(Errc::not_found,
                fmt::format("no database file at {}: nothing to back up (run setup first, or "
                            "set SQLITE_DB_PATH)",
                            source.string()));
  }
  std::error_code file_ec, source_ec;
  const auto file_path = fs::weakly_canonical(file, file_ec);
  const auto source_path = fs::weakly_canonical(source, source_ec);
  if (!file_ec && !source_ec && file_path == source_path) {
    throw Error(Errc::validation, fmt::format("{} is the database itself: choose another file "
                                              "for the backup",
                                              file.string()));
  }
  const auto tmp = create_temp_beside(file);
  try {
    VerifiedCopy out;
    try {
      out.migrations =
          copy_and_verify(source, tmp, options).value_or(std::vector<migrate::AppliedRow>{});
    } catch (const BadCopy& bad) {
      throw Error(Errc::io,
                  fmt::format("the copy of {} is not sound ({}): the database itself may be "
                              "damaged. Nothing was written to {}",
                              source.string(), bad.reason, file.string()));
    }
    commit_file(tmp, file);
    out.file = file;
    out.bytes = fs::file_size(file, ec);
    return out;
  } catch (...) {
    remove_temp(tmp);
    throw;
  }
}

Restored sqlite_restore(const fs::path& database, const fs::path& copy,
                        const std::vector<migrate::Migration>& known,
                        const BackupOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(copy, ec)) {
    throw Error(Errc::not_found,
                fmt::format("{} is not a file: nothing was restored", copy.string()));
  }
  const auto refuse = [&](const std::string& why, std::string_view what_to_do) {
    return Error(Errc::validation,
                 fmt::format("refusing to restore {}: {}. Nothing was changed: {} stays as it "
                             "was. {}",
                             copy.string(), why, database.string(), what_to_do));
  };
  constexpr std::string_view kOtherCopy =
      "Restore another copy (one made by `deploystack db backup`, or check a copy with "
      "sqlite3 <file> 'PRAGMA integrity_check')";

  // The copy is copied first, beside the database, and verified there: what is checked is
  // exactly what takes the database's place.
  const auto tmp = create_temp_beside(database);
  try {
    std::optional<std::vector<migrate::AppliedRow>> migrations;
    try {
      migrations = copy_and_verify(copy, tmp, options);
    } catch (const BadCopy& bad) {
      throw refuse(fmt::format("it is not a sound SQLite database ({})", bad.reason), kOtherCopy);
    }
    if (!migrations) {
      throw refuse(fmt::format("it has no {} table, so it is not a deploystack database",
                               migrate::kTrackingTable),
                   kOtherCopy);
    }
    std::set<std::string> hashes;
    for (const auto& m : known) hashes.insert(m.hash);
    for (const auto& row : *migrations) {
      if (hashes.contains(row.hash)) continue;
      throw refuse(
          fmt::format("it holds migration {} (created_at {}), which is not one of this "
                      "deploystack's {} migrations: it was made by a newer version (or another "
                      "schema)",
                      row.hash, row.created_at, known.size()),
          "Restore it with the deploystack version that made it, or a newer one");
    }

    Restored out;
    if (fs::exists(database, ec)) {
      fold_wal_into(database);
      const auto previous = with_suffix(database, ".before-restore-" + file_timestamp(now_ms()));
      // A second name for the current file: it stays whole under `previous` while the copy
      // replaces it under `database` in one rename.
      if (::link(database.c_str(), previous.c_str()) != 0) {
        throw_errno(errno,
                    fmt::format("cannot keep the current database as {}", previous.string()));
      }
      // What SQLite would otherwise apply to the new file: the old file's WAL (or hot journal)
      // goes with the old file; its shared-memory index is only a cache of that WAL.
      for (const char* suffix : {"-wal", "-journal"}) {
        const auto side = with_suffix(database, suffix);
        if (!fs::exists(side, ec)) continue;
        if (::rename(side.c_str(), with_suffix(previous, suffix).c_str()) != 0)
          throw_errno(errno, fmt::format("cannot move {} aside", side.string()));
      }
      fs::remove(with_suffix(database, "-shm"), ec);
      out.previous = previous;
    }
    commit_file(tmp, database);
    out.copy = {database, fs::file_size(database, ec), std::move(*migrations)};
    return out;
  } catch (...) {
    remove_temp(tmp);
    throw;
  }
}

}  // namespace ds::db
