#include "db/migrate/runner.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/error.hpp"
#include "core/metrics.hpp"
#include "db/fail_when.hpp"
#include "db/sql_keyword.hpp"

namespace ds::db::migrate {
namespace {

// drizzle-orm's text, byte for byte: sqlite_master keeps it, and the two must match.
std::string create_tracking_table(std::string_view table) {
  return fmt::format(
      "\n\t\t\tCREATE TABLE IF NOT EXISTS \"{}\" (\n\t\t\t\tid SERIAL PRIMARY KEY,\n"
      "\t\t\t\thash text NOT NULL,\n\t\t\t\tcreated_at numeric\n\t\t\t)\n\t\t",
      table);
}
constexpr std::string_view kBreakpoint = "--> statement-breakpoint";

using sql_keyword::skip_blank;

// Index just past the first complete statement of `s` (SQLite's own tokenizer decides where a
// statement ends, triggers included), or npos when `s` never completes one.
std::size_t first_statement_end(std::string_view s) {
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '[') {
      quote = ']';
    } else if (s.substr(i, 2) == "--" || s.substr(i, 2) == "/*") {
      i = skip_blank(s, i) - 1;
    } else if (c == ';') {
      const std::string prefix(s.substr(0, i + 1));
      if (sqlite3_complete(prefix.c_str()) != 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

std::int64_t as_millis(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    try {
      return std::stoll(*s);
    } catch (const std::exception&) {
    }
  }
  return 0;
}

std::vector<AppliedRow> rows_of(const Result& r) {
  std::vector<AppliedRow> out;
  out.reserve(r.row_count());
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    const auto row = r.row(i);
    const auto* hash = std::get_if<std::string>(&row[0]);
    out.push_back({hash ? *hash : std::string(), as_millis(row[1])});
  }
  return out;
}

std::string select_applied(std::string_view table) {
  return fmt::format("SELECT hash, created_at FROM \"{}\"", table);
}

// A concurrent runner may apply migrations between our read and our write: the write batch
// starts with this guard, which fails when the table no longer has the rows we read. Then the
// whole batch rolls back and the runner reads again (and usually finds nothing pending).
constexpr std::size_t kGuardIndex = 1;  // after CREATE TABLE IF NOT EXISTS
constexpr int kMaxAttempts = 5;

}  // namespace

std::vector<std::string> split_statements(const Migration& m) {
  std::vector<std::string> out;
  std::string_view rest = m.sql;
  for (int chunk = 1;; ++chunk) {
    const auto bp = rest.find(kBreakpoint);
    const std::string_view part = rest.substr(0, bp);
    const auto start = skip_blank(part, 0);
    if (start < part.size()) {
      const auto end = first_statement_end(part);
      if (end != std::string_view::npos && skip_blank(part, end) < part.size()) {
        throw Error(
            Errc::validation,
            fmt::format("{}: chunk {} holds more than one statement; separate them with '{}'",
                        m.file.string(), chunk, kBreakpoint));
      }
      std::string_view stmt = part.substr(start);
      while (!stmt.empty() && std::isspace(static_cast<unsigned char>(stmt.back())))
        stmt.remove_suffix(1);
      out.emplace_back(stmt);
    }
    if (bp == std::string_view::npos) break;
    rest.remove_prefix(bp + kBreakpoint.size());
  }
  return out;
}

std::vector<const Migration*> pending_migrations(const std::vector<Migration>& migrations,
                                                 const std::vector<AppliedRow>& applied) {
  std::int64_t latest = 0;
  bool any = false;
  for (const auto& r : applied) {
    latest = any ? std::max(latest, r.created_at) : r.created_at;
    any = true;
  }
  std::vector<const Migration*> pending;
  for (const auto& m : migrations) {
    const auto same_hash =
        std::find_if(applied.begin(), applied.end(), [&](auto& r) { return r.hash == m.hash; });
    if (same_hash != applied.end()) continue;
    const auto same_time = std::find_if(applied.begin(), applied.end(),
                                        [&](auto& r) { return r.created_at == m.entry.when; });
    if (same_time != applied.end()) {
      throw Error(
          Errc::conflict,
          fmt::format(
              "migration {} was changed after it was applied: its SHA-256 is {}, the database "
              "recorded {}. Restore the file as it was and put the change in a new migration.",
              m.file.string(), m.hash, same_time->hash));
    }
    if (any && m.entry.when <= latest) {
      throw Error(
          Errc::conflict,
          fmt::format("migration {} was never applied but is older than the latest applied one "
                      "(when {} <= {}): regenerate it after the newest migration.",
                      m.file.string(), m.entry.when, latest));
    }
    pending.push_back(&m);
  }
  return pending;
}

std::vector<AppliedRow> read_applied(Connection& db, std::string_view tracking_table) {
  // One round trip: whether the table exists, and its rows (an error when it does not).
  const Statement reads[] = {
      {"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
       {std::string(tracking_table)}},
      {select_applied(tracking_table), {}}};
  auto outcomes = db.execute_each(reads);
  if (outcomes[0].error) throw *outcomes[0].error;
  if (outcomes[0].result->row_count() == 0) return {};
  if (outcomes[1].error) throw *outcomes[1].error;
  return rows_of(*outcomes[1].result);
}

MigrateResult apply_migrations(Connection& db, const MigrationFolder& folder, bool dry_run,
                               std::string_view tracking_table) {
  const auto migrations = folder.migrations();
  // Split everything first: a malformed file fails before the database is touched.
  std::vector<std::vector<std::string>> statements;
  statements.reserve(migrations.size());
  for (const auto& m : migrations) statements.push_back(split_statements(m));
  const auto statements_of = [&](const Migration* m) -> const std::vector<std::string>& {
    return statements[static_cast<std::size_t>(m - migrations.data())];
  };

  MigrateResult result;
  if (dry_run) {
    for (const auto* m : pending_migrations(migrations, read_applied(db, tracking_table))) {
      result.applied.push_back(m->entry.tag);
      for (const auto& s : statements_of(m)) result.sql.push_back(s);
    }
    return result;
  }

  // The last run's time and what it applied, for GET /metrics.
  auto& registry = metrics::Registry::process();
  static auto& applied_total =
      registry.counter("deploystack_migrations_applied_total", "Migrations this process applied");
  static auto& last_duration = registry.gauge(
      "deploystack_migration_last_duration_seconds",
      "Time of the last migration run (reading what is applied, applying what is pending)");
  const auto started = std::chrono::steady_clock::now();
  struct RecordDuration {
    metrics::Gauge& gauge;
    std::chrono::steady_clock::time_point started;
    ~RecordDuration() {
      gauge.set(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  } record_duration{last_duration, started};

  // Two round trips whatever the number of migrations: read the tracking table, then one
  // migration batch that creates it when missing (as drizzle does), guards it and applies
  // everything pending.
  const std::string insert_applied =
      fmt::format("INSERT INTO \"{}\" (\"hash\", \"created_at\") VALUES(?, ?)", tracking_table);
  const std::string guard =
      fail_when(fmt::format("(SELECT count(*) FROM \"{}\") <> ?1", tracking_table));
  for (int attempt = 1;; ++attempt) {
    const auto applied = read_applied(db, tracking_table);
    const auto pending = pending_migrations(migrations, applied);
    if (pending.empty()) return result;

    std::vector<Statement> batch;
    // Where each statement of the batch came from, to name it when it fails.
    std::vector<std::pair<const Migration*, std::size_t>> origin;
    batch.push_back({create_tracking_table(tracking_table), {}});
    origin.emplace_back(nullptr, 0);
    batch.push_back({guard, {static_cast<std::int64_t>(applied.size())}});
    origin.emplace_back(nullptr, 0);
    for (const auto* m : pending) {
      const auto& stmts = statements_of(m);
      for (std::size_t i = 0; i < stmts.size(); ++i) {
        batch.push_back({stmts[i], {}});
        origin.emplace_back(m, i + 1);
      }
      batch.push_back({insert_applied, {m->hash, m->entry.when}});
      origin.emplace_back(m, 0);
    }
    try {
      db.migration_batch(batch);
    } catch (const BatchError& e) {
      const auto [m, number] = origin.at(e.statement_index());
      if (e.statement_index() == kGuardIndex) {
        if (attempt < kMaxAttempts) continue;
        throw Error(Errc::busy,
                    fmt::format("migrations: {} kept changing while this runner applied "
                                "migrations; nothing was applied, try again",
                                tracking_table));
      }
      if (m == nullptr) {
        throw Error(e.code(),
                    fmt::format("migrations: creating {} failed, nothing was applied: {}",
                                tracking_table, e.what()),
                    e.native_code());
      }
      const std::string what = number == 0
                                   ? std::string("recording it in ") + std::string(tracking_table)
                                   : fmt::format("statement {}", number);
      throw Error(e.code(),
                  fmt::format("migration {} {} failed, nothing was applied: {}", m->file.string(),
                              what, e.what()),
                  e.native_code());
    } catch (const Error& e) {
      throw Error(e.code(),
                  fmt::format("migrations rolled back, nothing was applied: {}", e.what()),
                  e.native_code());
    }
    for (const auto* m : pending) result.applied.push_back(m->entry.tag);
    applied_total.add(pending.size());
    return result;
  }
}

}  // namespace ds::db::migrate
