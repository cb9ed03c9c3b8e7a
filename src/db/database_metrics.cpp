#include "db/database_metrics.hpp"

#include "db/sqlite/sqlite_database.hpp"

namespace ds::db {

void write_database_metrics(const Connection& db, metrics::Writer& out) {
  const auto stats = sqlite_write_stats(db);
  if (!stats) return;
  const auto one = [&out](std::string_view name, std::string_view type, std::string_view help,
                          double value) {
    out.family(name, type, help);
    out.sample(name, {}, value);
  };
  one("deploystack_sqlite_wal_bytes", "gauge", "Size of the SQLite -wal file on disk",
      static_cast<double>(stats->wal_file_bytes));
  one("deploystack_sqlite_wal_frames", "gauge", "Frames in the SQLite WAL after the last commit",
      static_cast<double>(stats->wal_frames));
  one("deploystack_sqlite_checkpoints_total", "counter",
      "WAL checkpoints the writer ran (PASSIVE and RESTART)",
      static_cast<double>(stats->checkpoints));
  one("deploystack_sqlite_wal_restarts_total", "counter",
      "RESTART checkpoints after which the WAL started over", static_cast<double>(stats->restarts));
  one("deploystack_sqlite_writes_total", "counter",
      "Write calls (statements, batches, transactions) the writer ran",
      static_cast<double>(stats->writes));
  one("deploystack_sqlite_write_groups_total", "counter",
      "Transactions that committed one or more write calls together",
      static_cast<double>(stats->groups));
  one("deploystack_sqlite_largest_write_group", "gauge",
      "Most write calls committed together in one transaction",
      static_cast<double>(stats->largest_group));
  one("deploystack_sqlite_writes_failed_in_group_total", "counter",
      "Write calls that failed on their own (a constraint) inside a group whose others committed",
      static_cast<double>(stats->failed_in_group));
  one("deploystack_sqlite_writes_waiting", "gauge", "Write calls queued for the writer",
      static_cast<double>(stats->waiting));
}

}  // namespace ds::db
