#include "db/sqlite/sqlite_writer.hpp"

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "db/sqlite/sqlite_transaction.hpp"

namespace ds::db {
namespace {

// Write calls committed in one transaction at most: a group's callers all wait for its commit,
// so an unbounded group would make the first of them wait for everyone queued behind it.
constexpr std::size_t kMaxGroup = 128;

// Checkpoints. Sustained writes with readers always active starve SQLite's own automatic
// checkpoint: a PASSIVE checkpoint cannot copy frames a reader may still need, and the WAL
// only starts over when no reader uses it, so it grows without bound (347 MB after 30 s of
// writes measured before this writer). Here the writer checkpoints between groups:
// - every kCheckpointFrames new frames (1000, SQLite's own default, 4 MiB at 4 KiB pages) a
//   PASSIVE one, which never waits: once it has copied every frame, readers that start
//   afterwards read the database file, and the next write lets the WAL start over;
// - when the WAL still reaches kRestartFrames (16 MiB) a RESTART one, which waits up to
//   kRestartWaitMs for the readers still on the WAL, then starts it over. Once every frame is
//   copied, new readers read the database file, so the wait is for the read transactions
//   already running; ours take microseconds, but a long scan on an overloaded machine can
//   outlast it. Each RESTART that times out doubles the next one's wait, up to
//   kRestartWaitMaxMs, so a reader that never pauses delays the WAL's restart but cannot
//   prevent it; a success brings the wait back. Writes wait that long at most, and only then.
// journal_size_limit (sqlite_handle.cpp, 16 MiB) cuts the file back after it starts over. The
// target is a WAL under 16 MiB and never near 64 MiB: recovery after a crash replays little,
// and a reader's WAL-index search stays short.
constexpr int kCheckpointFrames = 1000;
constexpr int kRestartFrames = 4096;
constexpr int kRestartWaitMs = 100;
constexpr int kRestartWaitMaxMs = 3200;

// The writer whose group this thread is running, if any: a write through the Connection from
// inside a transaction body would queue behind the body's own group and wait for ever.
thread_local const SqliteWriter* t_leading = nullptr;

void store_max(std::atomic<std::uint64_t>& target, std::uint64_t value) {
  auto seen = target.load(std::memory_order_relaxed);
  while (value > seen && !target.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

// ROLLBACK fails only when SQLite already rolled back (e.g. after SQLITE_FULL).
void rollback_quietly(SqliteHandle& handle) {
  try {
    handle.execute("ROLLBACK", {});
  } catch (const Error&) {
  }
}

// BEGIN IMMEDIATE, `work`, COMMIT; ROLLBACK and rethrow when `work` or the COMMIT throws.
void in_own_transaction(SqliteHandle& handle, const std::function<void(Transaction&)>& work,
                        Transaction& tx) {
  handle.execute("BEGIN IMMEDIATE", {});
  try {
    work(tx);
    handle.execute("COMMIT", {});
  } catch (...) {
    rollback_quietly(handle);
    throw;
  }
}

}  // namespace

SqliteWriter::SqliteWriter(const std::filesystem::path& path, OpenMode mode,
                           const SqliteOptions& options)
    : handle_(path, mode, SqliteHandle::Role::writer, options), thread_([this] { serve(); }) {}

void SqliteWriter::statement(const std::function<void(Transaction&)>& work) {
  submit(Kind::statement, work);
}

void SqliteWriter::transaction(const std::function<void(Transaction&)>& work) {
  submit(Kind::transaction, work);
}

void SqliteWriter::transaction_without_foreign_keys(const std::function<void(Transaction&)>& work) {
  submit(Kind::alone_without_foreign_keys, work);
}

SqliteWriteStats SqliteWriter::stats() const {
  SqliteWriteStats s;
  s.writes = writes_.load(std::memory_order_relaxed);
  s.groups = groups_.load(std::memory_order_relaxed);
  s.largest_group = largest_group_.load(std::memory_order_relaxed);
  s.failed_in_group = failed_in_group_.load(std::memory_order_relaxed);
  s.checkpoints = checkpoints_.load(std::memory_order_relaxed);
  s.restarts = restarts_.load(std::memory_order_relaxed);
  s.wal_frames = handle_.wal_frames();
  s.waiting = waiting_.load(std::memory_order_relaxed);
  return s;
}

SqliteWriter::~SqliteWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_one();
  thread_.join();
}

void SqliteWriter::submit(Kind kind, const std::function<void(Transaction&)>& work) {
  if (t_leading == this) {
    throw Error(Errc::misuse,
                "a write through the Connection inside a transaction body would wait for its own "
                "transaction: write through the Transaction given to the body");
  }
  Job job{kind, work};
  std::unique_lock lock(mutex_);
  queue_.push_back(&job);
  waiting_.fetch_add(1, std::memory_order_relaxed);
  if (!leading_ && queue_.size() == 1) {
    // Nobody is writing: this call writes at once, on its own thread (no hand-off). A
    // checkpoint the writer thread has not got to yet (a caller writing in a tight loop takes
    // the lock back first, for ever on a busy machine) is run here first, so the WAL stays
    // bounded whoever writes: a write pays for it at most once per kCheckpointFrames.
    if (checkpoint_due_) run_checkpoint(lock);
    lead(lock, false);
  } else {
    if (!leading_) work_ready_.notify_one();
    job.woken.wait(lock, [&] { return job.done; });
  }
  lock.unlock();
  if (job.error) std::rethrow_exception(job.error);
}

void SqliteWriter::serve() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_ready_.wait(
        lock, [&] { return !leading_ && (stopping_ || !queue_.empty() || checkpoint_due_); });
    if (!queue_.empty()) {
      lead(lock, true);
    } else if (checkpoint_due_) {
      run_checkpoint(lock);
    } else {
      return;  // stopping_, and nothing left to write
    }
  }
}

void SqliteWriter::run_checkpoint(std::unique_lock<std::mutex>& lock) {
  checkpoint_due_ = false;
  leading_ = true;
  lock.unlock();
  checkpoint_if_due();
  lock.lock();
  leading_ = false;
}

void SqliteWriter::lead(std::unique_lock<std::mutex>& lock, bool writer_thread) {
  leading_ = true;
  std::vector<Job*> group;
  for (Job* j : queue_) {
    if (group.size() == kMaxGroup) break;
    // A job that must run alone is a group of its own.
    if (j->kind == Kind::alone_without_foreign_keys && !group.empty()) break;
    group.push_back(j);
    if (j->kind == Kind::alone_without_foreign_keys) break;
  }
  lock.unlock();
  t_leading = this;
  const std::size_t finished = run_group(group);
  t_leading = nullptr;
  const bool due = checkpoint_due();
  lock.lock();
  for (std::size_t i = 0; i < finished; ++i) {
    queue_.pop_front();
    group[i]->done = true;
    group[i]->woken.notify_one();
  }
  waiting_.fetch_sub(finished, std::memory_order_relaxed);
  if (due && writer_thread) {
    // The group has its answers; the next one waits for the checkpoint.
    checkpoint_due_ = false;
    lock.unlock();
    checkpoint_if_due();
    lock.lock();
  } else if (due) {
    checkpoint_due_ = true;  // the writer thread runs it: a lone write does not wait for it
  }
  leading_ = false;
  if (!queue_.empty() || checkpoint_due_) work_ready_.notify_one();
}

std::size_t SqliteWriter::run_group(std::span<Job* const> group) {
  writes_.fetch_add(group.size(), std::memory_order_relaxed);
  if (group.size() == 1) {
    run_alone(*group.front());
    if (!group.front()->error) groups_.fetch_add(1, std::memory_order_relaxed);
    store_max(largest_group_, 1);
    return 1;
  }
  SqliteTransaction tx(handle_);
  try {
    handle_.execute("BEGIN IMMEDIATE", {});
  } catch (...) {
    for (Job* j : group) j->error = std::current_exception();
    return group.size();
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    Job& job = *group[i];
    try {
      handle_.execute("SAVEPOINT ds_group", {});
      job.work(tx);
      handle_.execute("RELEASE ds_group", {});
      continue;
    } catch (...) {
      job.error = std::current_exception();
    }
    bool transaction_kept = !handle_.autocommit();
    if (transaction_kept) {
      try {
        handle_.execute("ROLLBACK TO ds_group", {});
        handle_.execute("RELEASE ds_group", {});
      } catch (const Error&) {
        transaction_kept = false;
      }
    }
    if (!transaction_kept) {
      // SQLite rolled the whole transaction back (a full disk, an I/O error): the writes run
      // before this one are gone with it and fail with its cause; those after it have not
      // run and form the next group.
      rollback_quietly(handle_);
      for (std::size_t k = 0; k < i; ++k) group[k]->error = job.error;
      return i + 1;
    }
  }
  try {
    handle_.execute("COMMIT", {});
  } catch (...) {
    const auto error = std::current_exception();
    rollback_quietly(handle_);
    for (Job* j : group) {
      if (!j->error) j->error = error;
    }
    return group.size();
  }
  groups_.fetch_add(1, std::memory_order_relaxed);
  store_max(largest_group_, group.size());
  failed_in_group_.fetch_add(
      static_cast<std::uint64_t>(std::count_if(group.begin(), group.end(),
                                               [](const Job* j) { return j->error != nullptr; })),
      std::memory_order_relaxed);
  return group.size();
}

void SqliteWriter::run_alone(Job& job) {
  SqliteTransaction tx(handle_);
  try {
    switch (job.kind) {
      case Kind::statement:
        job.work(tx);  // autocommit: the statement is its own transaction
        return;
      case Kind::transaction:
        in_own_transaction(handle_, job.work, tx);
        return;
      case Kind::alone_without_foreign_keys:
        // foreign_keys is a no-op inside a transaction, so it is switched around it.
        handle_.exec_uncached("PRAGMA foreign_keys=OFF");
        try {
          in_own_transaction(handle_, job.work, tx);
        } catch (...) {
          handle_.exec_uncached("PRAGMA foreign_keys=ON");
          throw;
        }
        handle_.exec_uncached("PRAGMA foreign_keys=ON");
        return;
    }
  } catch (...) {
    job.error = std::current_exception();
  }
}

bool SqliteWriter::checkpoint_due() {
  const int frames = handle_.wal_frames();
  if (frames < checkpointed_frames_) checkpointed_frames_ = 0;  // the WAL started over
  return frames - checkpointed_frames_ >= kCheckpointFrames;
}

void SqliteWriter::checkpoint_if_due() {
  if (!checkpoint_due()) return;
  const int frames = handle_.wal_frames();
  const bool restart = frames >= kRestartFrames;
  t_leading = this;
  try {
    const auto done = handle_.checkpoint(restart, restart_wait_ms_);
    checkpoints_.fetch_add(1, std::memory_order_relaxed);
    if (restart && !done.busy) {
      restarts_.fetch_add(1, std::memory_order_relaxed);
      restart_wait_ms_ = kRestartWaitMs;
    } else if (restart) {
      restart_wait_ms_ = std::min(restart_wait_ms_ * 2, kRestartWaitMaxMs);
    }
  } catch (const Error&) {
    // A checkpoint that fails (a full disk) loses nothing: the frames stay in the WAL and the
    // next group tries again; the writes themselves report such errors.
  }
  t_leading = nullptr;
  checkpointed_frames_ = frames;
}

}  // namespace ds::db
