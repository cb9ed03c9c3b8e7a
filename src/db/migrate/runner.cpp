#include "db/migrate/runner.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

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

// Skips whitespace and comments from `i`; returns the index of the next token (or size).
std::size_t skip_blank(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.substr(i, 2) == "--") {
      const auto nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (s.substr(i, 2) == "/*") {
      const auto end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

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

std::vector<AppliedRow> rows_of(Connection& db, std::string_view table) {
  const auto r = db.execute(fmt::format("SELECT hash, created_at FROM \"{}\"", table));
  std::vector<AppliedRow> out;
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    const auto row = r.row(i);
    const auto* hash = std::get_if<std::string>(&row[0]);
    out.push_back({hash ? *hash : std::string(), as_millis(row[1])});
  }
  return out;
}

void fail_on_foreign_key_violations(Connection& tx) {
  const auto r = tx.execute("PRAGMA foreign_key_check");
  if (r.row_count() == 0) return;
  std::string what;
  for (std::size_t i = 0; i < r.row_count() && i < 5; ++i) {
    const auto row = r.row(i);
    const auto* table = std::get_if<std::string>(&row[0]);
    const auto* parent = std::get_if<std::string>(&row[2]);
    what += fmt::format("\n  a row of '{}' references a missing row of '{}'", table ? *table : "?", parent ? *parent : "?");
  }
  throw Error(Errc::constraint, fmt::format("migrations rolled back: {} foreign key violation(s) after applying them:{}",
                                            r.row_count(), what));
}

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
        throw Error(Errc::validation,
                    fmt::format("{}: chunk {} holds more than one statement; separate them with '{}'",
                                m.file.string(), chunk, kBreakpoint));
      }
      std::string_view stmt = part.substr(start);
      while (!stmt.empty() && std::isspace(static_cast<unsigned char>(stmt.back()))) stmt.remove_suffix(1);
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
    const auto same_hash = std::find_if(applied.begin(), applied.end(), [&](auto& r) { return r.hash == m.hash; });
    if (same_hash != applied.end()) continue;
    const auto same_time = std::find_if(applied.begin(), applied.end(), [&](auto& r) { return r.created_at == m.entry.when; });
    if (same_time != applied.end()) {
      throw Error(Errc::conflict,
                  fmt::format("migration {} was changed after it was applied: its SHA-256 is {}, the database "
                              "recorded {}. Restore the file as it was and put the change in a new migration.",
                              m.file.string(), m.hash, same_time->hash));
    }
    if (any && m.entry.when <= latest) {
      throw Error(Errc::conflict,
                  fmt::format("migration {} was never applied but is older than the latest applied one "
                              "(when {} <= {}): regenerate it after the newest migration.",
                              m.file.string(), m.entry.when, latest));
    }
    pending.push_back(&m);
  }
  return pending;
}

std::vector<AppliedRow> read_applied(Connection& db, std::string_view tracking_table) {
  const Value name[] = {std::string(tracking_table)};
  const auto exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", name);
  if (exists.row_count() == 0) return {};
  return rows_of(db, tracking_table);
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
  db.migration_transaction([&](Connection& tx) {
    result.applied.clear();
    tx.execute(create_tracking_table(tracking_table));
    // Read under the write lock: a concurrent runner waits here, then sees our rows.
    for (const auto* m : pending_migrations(migrations, rows_of(tx, tracking_table))) {
      const auto& stmts = statements_of(m);
      for (std::size_t i = 0; i < stmts.size(); ++i) {
        try {
          tx.execute(stmts[i]);
        } catch (const Error& e) {
          throw Error(e.code(), fmt::format("migration {} statement {} failed, nothing was applied: {}",
                                            m->file.string(), i + 1, e.what()), e.native_code());
        }
      }
      const Value params[] = {m->hash, m->entry.when};
      tx.execute(fmt::format("INSERT INTO \"{}\" (\"hash\", \"created_at\") VALUES(?, ?)", tracking_table), params);
      result.applied.push_back(m->entry.tag);
    }
    fail_on_foreign_key_violations(tx);
  });
  return result;
}

}  // namespace ds::db::migrate
