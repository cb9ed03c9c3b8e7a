#include "db/sqlite/sqlite_database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "db/sqlite/sqlite_handle.hpp"
#include "db/sqlite/sqlite_transaction.hpp"
#include "db/sqlite/sqlite_writer.hpp"
#include "db/statement_metrics.hpp"

namespace ds::db {
namespace {

// Rolls the migration back when a foreign key is violated; names the first few rows.
void check_foreign_keys(Executor& tx) {
  const auto r = tx.execute("PRAGMA foreign_key_check");
  if (r.row_count() == 0) return;
  std::string what;
  for (std::size_t i = 0; i < r.row_count() && i < 5; ++i) {
    const auto row = r.row(i);
    const auto* table = std::get_if<std::string>(&row[0]);
    const auto* parent = std::get_if<std::string>(&row[2]);
    what += fmt::format("\n  a row of '{}' references a missing row of '{}'", table ? *table : "?",
                        parent ? *parent : "?");
  }
  throw Error(Errc::constraint,
              fmt::format("rolled back: {} foreign key violation(s) after the statements ran:{}",
                          r.row_count(), what));
}

// A database that must already exist is checked before sqlite3 opens it, and each problem
// is reported with what to do: sqlite3 would create a missing file, takes a zero-length file
// for a new, empty database and opens any file lazily, so a lost, truncated or foreign file
// would otherwise silently become a fresh empty database.
void check_existing_database(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) {
    throw Error(Errc::io,
                fmt::format("SQLite database {} does not exist. Point SQLITE_DB_PATH at the "
                            "existing file, restore it from a backup, or create it with "
                            "`deploystack db up`",
                            path.string()));
  }
  if (ec) {
    throw Error(Errc::io,
                fmt::format("SQLite database {} cannot be checked ({}). Fix its folder (a symbolic "
                            "link loop, missing permissions or a volume not mounted?) and restart",
                            path.string(), ec.message()));
  }
  if (!fs::is_regular_file(st)) return;  // sqlite3_open_v2 says why not
  std::ifstream in(path, std::ios::binary);
  if (!in) return;
  constexpr std::string_view kHeader{"SQLite format 3\0", 16};
  char header[16] = {};
  in.read(header, sizeof header);
  const auto got = static_cast<std::size_t>(in.gcount());
  constexpr std::string_view kWhatToDo =
      "restore it from a backup, or remove the file to start with an empty database (then run "
      "setup or `deploystack db up` again)";
  if (got == 0) {
    throw Error(Errc::io, fmt::format("SQLite database {} is empty (0 bytes) although the database "
                                      "was set up, so its data is gone: {}",
                                      path.string(), kWhatToDo));
  }
  if (std::string_view(header, got) != kHeader) {
    throw Error(Errc::io, fmt::format("{} is not a SQLite database (it does not start with the "
                                      "SQLite header): {}",
                                      path.string(), kWhatToDo));
  }
}

// Writes go to the one writer (sqlite_writer.hpp); reads to a pool of read-only handles.
class SqliteDatabase final : public Connection {
  // Reader handles are opened on demand, up to one per thread that may call at once: the HTTP
  // server's I/O threads (one per core) read here and must never wait for a handle held by
  // one of its workers (four per core, at least eight), so the pool is larger than both.
  static constexpr std::size_t kHandlesPerCore = 8;

 public:
  SqliteDatabase(std::filesystem::path path, OpenMode mode, const SqliteOptions& options)
      : path_(std::move(path)),
        options_(options),
        max_handles_(
            std::max<std::size_t>(16, kHandlesPerCore * std::thread::hardware_concurrency())) {
    if (mode == OpenMode::create_if_missing && path_.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(path_.parent_path(), ec);
      if (ec) {
        throw Error(Errc::io, fmt::format("cannot create folder {}: {}",
                                          path_.parent_path().string(), ec.message()));
      }
    }
    if (mode == OpenMode::must_exist) check_existing_database(path_);
    // The writer opens first, so that a missing or corrupt file fails here and the file is in
    // WAL mode before any reader opens it.
    writer_ = std::make_unique<SqliteWriter>(path_, mode, options_);
  }

  Result execute(std::string_view sql, std::span<const Value> params) override {
    StatementTimer timer(StatementKind::read);
    {
      Lease lease(*this);
      if (lease->reads_only(sql)) return lease->execute(sql, params);
    }
    timer.set_kind(StatementKind::write);
    Result result;
    writer_->statement([&](Transaction& tx) { result = tx.execute(sql, params); });
    return result;
  }

  std::int64_t stream(std::string_view sql, std::span<const Value> params, RowSink& sink) override {
    StatementTimer timer(StatementKind::read);
    {
      Lease lease(*this);
      if (lease->reads_only(sql)) return lease->stream(sql, params, sink);
    }
    timer.set_kind(StatementKind::write);
    std::int64_t written = 0;
    writer_->statement([&](Transaction& tx) { written = tx.stream(sql, params, sink); });
    return written;
  }

  std::vector<Result> batch(std::span<const Statement> statements) override {
    const StatementTimer timer(StatementKind::batch);
    std::vector<Result> results;
    writer_->transaction([&](Transaction& t) { results = run_each(t, statements); });
    return results;
  }

  void transaction(const std::function<void(Transaction&)>& body) override {
    const StatementTimer timer(StatementKind::transaction);
    writer_->transaction(body);
  }

  std::vector<Result> migration_batch(std::span<const Statement> statements) override {
    const StatementTimer timer(StatementKind::migration);
    std::vector<Result> results;
    writer_->transaction_without_foreign_keys([&](Transaction& tx) {
      results = run_each(tx, statements);
      check_foreign_keys(tx);
    });
    return results;
  }

  // In WAL mode (checked when the writer opened) readers never wait for writers, and the pool
  // has a handle for every thread that may ask (see kHandlesPerCore).
  bool reads_never_wait() const noexcept override { return writer_->wal(); }

  std::string_view dialect() const noexcept override { return "sqlite"; }

  SqliteWriteStats write_stats() const {
    auto stats = writer_->stats();
    std::error_code ec;
    const auto wal_bytes = std::filesystem::file_size(path_.string() + "-wal", ec);
    if (!ec) stats.wal_file_bytes = wal_bytes;
    return stats;
  }

 private:
  // A reader borrowed from the pool for one call; given back even when the call throws.
  class Lease {
   public:
    explicit Lease(SqliteDatabase& db) : db_(db), handle_(db.acquire()) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { db_.release(std::move(handle_)); }
    SqliteHandle* operator->() const { return handle_.get(); }

   private:
    SqliteDatabase& db_;
    std::unique_ptr<SqliteHandle> handle_;
  };

  std::unique_ptr<SqliteHandle> acquire() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!idle_.empty()) {
        auto h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
      if (open_count_ < max_handles_) {
        ++open_count_;
        lock.unlock();
        try {
          return std::make_unique<SqliteHandle>(path_, OpenMode::must_exist,
                                                SqliteHandle::Role::reader, options_);
        } catch (...) {
          lock.lock();
          --open_count_;
          throw;
        }
      }
      available_.wait(lock);
    }
  }

  void release(std::unique_ptr<SqliteHandle> handle) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(handle));
    }
    available_.notify_one();
  }

  std::filesystem::path path_;
  SqliteOptions options_;
  std::size_t max_handles_;
  std::unique_ptr<SqliteWriter> writer_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<SqliteHandle>> idle_;
  std::size_t open_count_ = 0;
};

}  // namespace

std::shared_ptr<Connection> open_sqlite(const std::filesystem::path& path, OpenMode mode,
                                        const SqliteOptions& options) {
  return std::make_shared<SqliteDatabase>(path, mode, options);
}

std::optional<SqliteWriteStats> sqlite_write_stats(const Connection& db) {
  const auto* sqlite = dynamic_cast<const SqliteDatabase*>(&db);
  if (sqlite == nullptr) return std::nullopt;
  return sqlite->write_stats();
}

}  // namespace ds::db
