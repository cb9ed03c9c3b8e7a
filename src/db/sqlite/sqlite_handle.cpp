#include "db/sqlite/sqlite_handle.hpp"

#include <fmt/format.h>

#include <cctype>

#include "core/error.hpp"
#include "db/sql_keyword.hpp"
#include "db/sqlite_result_code.hpp"

namespace ds::db {
namespace {

constexpr std::size_t kMaxCachedStatements = 256;
constexpr int kBusyTimeoutMs = 5000;
constexpr std::size_t kInitialRows = 16;

// Resets a statement however the step loop ends, so a cached statement never stays
// mid-result (that would keep its implicit transaction and block WAL checkpoints).
struct ResetGuard {
  sqlite3_stmt* stmt;
  ~ResetGuard() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

void bind(sqlite3* db, sqlite3_stmt* stmt, std::span<const Value> params) {
  const int expected = sqlite3_bind_parameter_count(stmt);
  if (static_cast<std::size_t>(expected) != params.size()) {
    throw Error(Errc::misuse, fmt::format("statement expects {} parameters, got {}", expected,
                                          params.size()));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i) + 1;
    const int rc = std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return sqlite3_bind_null(stmt, idx);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(stmt, idx, v);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(stmt, idx, v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return sqlite3_bind_text64(stmt, idx, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
          } else {
            // An empty vector's data() may be null, which SQLite would bind as NULL.
            if (v.empty()) return sqlite3_bind_zeroblob(stmt, idx, 0);
            return sqlite3_bind_blob64(stmt, idx, v.data(), v.size(), SQLITE_STATIC);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) throw_sqlite_error(db, rc, "bind");
  }
}

// The row the statement is on, read in place. Each cell is fetched once as an sqlite3_value
// and read with sqlite3_value_*: every sqlite3_column_* call would enter and leave the
// connection's mutex and check for a malloc failure again. Handles are opened NOMUTEX and
// used by one thread at a time, so the value needs no mutex ("unprotected" is the same as
// "protected" then).
class StatementRow final : public RowView {
 public:
  explicit StatementRow(sqlite3_stmt* stmt) noexcept
      : stmt_(stmt), size_(static_cast<std::size_t>(sqlite3_column_count(stmt))) {}
  std::size_t size() const noexcept override { return size_; }
  ValueView operator[](std::size_t column) const override {
    sqlite3_value* v = sqlite3_column_value(stmt_, static_cast<int>(column));
    switch (sqlite3_value_type(v)) {
      case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_value_int64(v));
      case SQLITE_FLOAT: return sqlite3_value_double(v);
      case SQLITE_TEXT: {
        // Never null for text, even empty, unless SQLite ran out of memory.
        const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
        if (p == nullptr) throw_sqlite_error(sqlite3_db_handle(stmt_), SQLITE_NOMEM, "read column");
        return std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(v)));
      }
      case SQLITE_BLOB: {
        // Null for an empty blob; the span is then empty.
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_value_blob(v));
        return std::span<const std::uint8_t>(p, static_cast<std::size_t>(sqlite3_value_bytes(v)));
      }
      default: return nullptr;
    }
  }

 private:
  sqlite3_stmt* stmt_;
  std::size_t size_;
};

// Collects streamed rows into a Result (execute()).
class CollectRows final : public RowSink {
 public:
  explicit CollectRows(Result& result) noexcept : result_(result) {}
  bool row(const RowView& row) override {
    // One allocation for the first rows instead of a doubling per row; grows as usual after.
    if (result_.cells.empty()) result_.cells.reserve(row.size() * kInitialRows);
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string_view>) result_.cells.emplace_back(std::string(v));
            else if constexpr (std::is_same_v<T, std::span<const std::uint8_t>>) result_.cells.emplace_back(Blob(v.begin(), v.end()));
            else result_.cells.emplace_back(v);
          },
          row[i]);
    }
    return true;
  }

 private:
  Result& result_;
};

// Process-wide SQLite settings, applied once before the library initializes. Memory
// statistics off: with them on, every sqlite3_malloc/free takes one global mutex, which the
// threads reading at once (the HTTP server's I/O threads) then contend for. Nothing here
// reads those statistics.
void configure_sqlite_once() {
  static const bool configured = [] {
    const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // SQLITE_MISUSE: someone in this process initialized SQLite first; only speed is lost.
    return rc == SQLITE_OK;
  }();
  (void)configured;
}

}  // namespace

void throw_sqlite_error(sqlite3* db, int rc, std::string_view context) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  Errc code = classify_sqlite_result_code(rc);
  // An I/O error whose system call ran out of space (an fsync, a journal's ftruncate) is a
  // full disk too, not a broken one: the operator's remedy is the same.
  if (code == Errc::io && db != nullptr &&
      errc_from_errno(sqlite3_system_errno(db)) == Errc::storage_full) {
    code = Errc::storage_full;
  }
  if (code == Errc::storage_full) {
    throw Error(code, fmt::format("{}: {} ({})", context, msg, kStorageFullHint), rc);
  }
  throw Error(code, fmt::format("{}: {}", context, msg), rc);
}

SqliteHandle::SqliteHandle(const std::filesystem::path& path, OpenMode mode, Role role,
                           const SqliteOptions& options) {
  configure_sqlite_once();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (mode == OpenMode::create_if_missing) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(Errc::io, fmt::format("cannot open SQLite database {}: {}", path.string(), msg), rc);
  }
  try {
    sqlite3_db_config(db_, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
    sqlite3_db_config(db_, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // journal_mode=WAL also reads the header: a file that is not a database fails here.
    {
      Fresh mode;
      mode.statement = compile("PRAGMA journal_mode=WAL");
      const int rc = sqlite3_step(mode.statement.stmt);
      if (rc != SQLITE_ROW) throw_sqlite_error(db_, rc, "PRAGMA journal_mode=WAL");
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(mode.statement.stmt, 0));
      wal_ = text != nullptr && std::string_view(text) == "wal";
    }
    exec_uncached("PRAGMA foreign_keys=ON");
    exec_uncached(options.synchronous == SqliteSynchronous::full ? "PRAGMA synchronous=FULL"
                                                                 : "PRAGMA synchronous=NORMAL");
    if (role == Role::writer) {
      // The writer checkpoints itself (sqlite_writer.cpp); this hook replaces SQLite's
      // automatic checkpoint, which would run PASSIVE only and could be starved by readers.
      sqlite3_wal_hook(db_, &SqliteHandle::on_wal_commit, this);
      // After the WAL starts over, its file is cut back to this size (it would otherwise keep
      // its largest size on disk forever).
      exec_uncached("PRAGMA journal_size_limit=16777216");
    } else {
      exec_uncached("PRAGMA query_only=ON");
    }
  } catch (const Error& e) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(e.code(), fmt::format("SQLite database {}: {}", path.string(), e.what()),
                e.native_code());
  }
}

SqliteHandle::~SqliteHandle() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

int SqliteHandle::on_wal_commit(void* self, sqlite3* /*db*/, const char* /*schema*/, int frames) {
  static_cast<SqliteHandle*>(self)->wal_frames_.store(frames, std::memory_order_relaxed);
  return SQLITE_OK;
}

bool SqliteHandle::reads_only(std::string_view sql) {
  Fresh fresh;
  return prepare(sql, fresh).readonly;
}

SqliteHandle::Checkpointed SqliteHandle::checkpoint(bool restart, int wait_ms) {
  int log = 0;
  int done = 0;
  if (restart) sqlite3_busy_timeout(db_, wait_ms);
  const int rc = sqlite3_wal_checkpoint_v2(
      db_, nullptr, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (restart) sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  if (rc == SQLITE_BUSY) return {false, true};
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "checkpoint");
  if (restart) wal_frames_.store(0, std::memory_order_relaxed);
  return {log == done, false};
}

void SqliteHandle::exec_uncached(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, sql);
}

SqliteHandle::Cached SqliteHandle::compile(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const auto prepare = [&] {
    return sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  };
  int rc = prepare();
  if (rc == SQLITE_SCHEMA) {
    // A statement that fails to compile (a column that does not exist) on a connection whose
    // copy of the schema is out of date (another connection changed it) comes back as
    // SQLITE_SCHEMA instead of its own error: running a statement brings the schema up to
    // date, and the second attempt gives the real answer.
    exec_uncached("SELECT 1 FROM sqlite_schema LIMIT 0");
    rc = prepare();
  }
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "prepare");
  if (stmt == nullptr) throw Error(Errc::misuse, "empty SQL statement");
  for (; tail != nullptr && *tail != '\0'; ++tail) {
    if (!std::isspace(static_cast<unsigned char>(*tail)) && *tail != ';') {
      sqlite3_finalize(stmt);
      throw Error(Errc::misuse, "one statement per call: the SQL text holds more than one");
    }
  }
  return {stmt, sql_keyword::is_insert(sql), sqlite3_stmt_readonly(stmt) != 0};
}

SqliteHandle::Cached& SqliteHandle::prepare(std::string_view sql, Fresh& fresh) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    if (sqlite3_stmt_busy(it->second.stmt) == 0) return it->second;
    fresh.statement = compile(sql);
    return fresh.statement;
  }
  if (cache_.size() >= kMaxCachedStatements) {
    // Statements mid-step (an outer query whose row callback runs this one) stay.
    std::erase_if(cache_, [](const auto& entry) {
      if (sqlite3_stmt_busy(entry.second.stmt) != 0) return false;
      sqlite3_finalize(entry.second.stmt);
      return true;
    });
  }
  return cache_.emplace(std::string(sql), compile(sql)).first->second;
}

Result SqliteHandle::execute(std::string_view sql, std::span<const Value> params) {
  Fresh fresh;
  Cached& cached = prepare(sql, fresh);
  Result result;
  const int ncols = sqlite3_column_count(cached.stmt);
  result.columns.reserve(static_cast<std::size_t>(ncols));
  for (int i = 0; i < ncols; ++i) result.columns.emplace_back(sqlite3_column_name(cached.stmt, i));
  CollectRows sink(result);
  const Written written = run(cached, params, sink);
  result.rows_affected = written.rows_affected;
  result.last_insert_rowid = written.last_insert_rowid;
  return result;
}

std::int64_t SqliteHandle::stream(std::string_view sql, std::span<const Value> params, RowSink& sink) {
  Fresh fresh;
  return run(prepare(sql, fresh), params, sink).rows_affected;
}

SqliteHandle::Written SqliteHandle::run(Cached& cached, std::span<const Value> params, RowSink& sink) {
  sqlite3_stmt* stmt = cached.stmt;
  ResetGuard guard{stmt};
  bind(db_, stmt, params);
  const StatementRow row(stmt);
  const auto changes_before = sqlite3_total_changes64(db_);
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) throw_sqlite_error(db_, rc, "step");
    if (!sink.row(row)) break;
  }
  Written written;
  if (sqlite3_total_changes64(db_) != changes_before) {
    written.rows_affected = sqlite3_changes64(db_);
    if (cached.is_insert) written.last_insert_rowid = sqlite3_last_insert_rowid(db_);
  }
  return written;
}

}  // namespace ds::db
