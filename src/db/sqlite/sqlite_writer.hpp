#pragma once
// The one connection that writes to a SQLite database (group commit).
//
// A write call made while nobody writes runs at once on the caller's thread: nobody waits for
// company. Calls made while a write runs queue here, and the writer thread takes everything
// queued at once: it runs each call inside its own savepoint of one transaction, commits once
// and wakes each caller with its own result or error, so one request's constraint error fails
// that request alone. Under load the writer thread goes from group to group without waiting
// for a caller's thread to be scheduled. Because
// nothing else in this process writes, SQLite never answers SQLITE_BUSY between our own
// threads; another process writing the file is still waited for (busy_timeout).
//
// Between groups the leader checkpoints the WAL, so it stays bounded whatever the read load
// (sqlite_writer.cpp says how).
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "db/connection.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "db/sqlite/sqlite_handle.hpp"

namespace ds::db {

class SqliteWriter {
 public:
  SqliteWriter(const std::filesystem::path& path, OpenMode mode, const SqliteOptions& options);
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;
  ~SqliteWriter();

  // One statement. Alone it runs in autocommit; in a group, inside its own savepoint.
  void statement(const std::function<void(Transaction&)>& work);
  // A transaction body: committed when it returns (with its group), rolled back alone when it
  // throws, and the exception goes on to the caller. Returns only after the commit.
  void transaction(const std::function<void(Transaction&)>& work);
  // A transaction that runs alone with foreign-key enforcement off around it (a migration
  // batch: foreign_keys cannot change inside a transaction).
  void transaction_without_foreign_keys(const std::function<void(Transaction&)>& work);

  // Whether the database is in WAL mode (readers then never wait for this writer).
  bool wal() const noexcept { return handle_.wal(); }
  SqliteWriteStats stats() const;

 private:
  enum class Kind { statement, transaction, alone_without_foreign_keys };
  struct Job {
    Kind kind;
    const std::function<void(Transaction&)>& work;
    std::exception_ptr error{};
    bool done = false;
    std::condition_variable woken{};
  };

  void submit(Kind kind, const std::function<void(Transaction&)>& work);
  // The writer thread: leads whenever something is queued and nobody leads.
  void serve();
  // Runs the group at the front of the queue (`lock` held on entry and exit), answers it, then
  // checkpoints when due (on the writer thread; a caller's thread leaves that to it).
  void lead(std::unique_lock<std::mutex>& lock, bool writer_thread);
  // Runs a due checkpoint as the leader; `lock` is held on entry and on return.
  void run_checkpoint(std::unique_lock<std::mutex>& lock);
  // Runs the jobs of one group on the handle; returns how many of them are finished (all of
  // them, unless SQLite rolled the whole transaction back: the rest then form the next group).
  std::size_t run_group(std::span<Job* const> group);
  void run_alone(Job& job);
  bool checkpoint_due();
  void checkpoint_if_due();

  SqliteHandle handle_;
  std::mutex mutex_;
  std::deque<Job*> queue_;       // guarded by mutex_; the leader's group is at its front
  std::condition_variable work_ready_;  // wakes the writer thread
  bool leading_ = false;                // guarded by mutex_: a leader is using handle_
  bool checkpoint_due_ = false;         // guarded by mutex_: for the writer thread
  bool stopping_ = false;               // guarded by mutex_
  int checkpointed_frames_ = 0;         // leader only: WAL frames at the last checkpoint
  int restart_wait_ms_ = 100;           // leader only: how long the next RESTART waits

  std::atomic<std::uint64_t> writes_{0}, groups_{0}, largest_group_{0}, failed_in_group_{0},
      checkpoints_{0}, restarts_{0}, waiting_{0};
  std::thread thread_;  // last: it starts when everything above is ready
};

}  // namespace ds::db
