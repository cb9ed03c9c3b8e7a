#include "db/migrate/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/ascii.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "db/migrate/runner.hpp"
#include "db/migrate/snapshot.hpp"

namespace ds::db::migrate {
namespace {

std::string text_of(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  return {};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// SQLite reports `DEFAULT (unixepoch())` as `unixepoch()`: compare without wrapping parens.
std::string bare_default(std::string d) {
  while (d.size() >= 2 && d.front() == '(' && d.back() == ')') {
    int depth = 0;
    bool wraps = true;
    for (std::size_t i = 0; i + 1 < d.size(); ++i) {
      depth += d[i] == '(' ? 1 : d[i] == ')' ? -1 : 0;
      if (depth == 0) {
        wraps = false;
        break;
      }
    }
    if (!wraps) break;
    d = d.substr(1, d.size() - 2);
  }
  // Keywords are case-insensitive (some servers upper-case them): `false` == `FALSE`. String
  // literals keep their case.
  const std::string l = lower(d);
  for (const std::string_view keyword : {"true", "false", "null", "current_timestamp", "current_date", "current_time"}) {
    if (l == keyword) return l;
  }
  return d;
}

// One table as comparable lines: "column name type pk notnull autoinc default", "index ...".
// Built the same way from the snapshot and from the live database.
std::vector<std::string> describe(const schema::Table& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns) {
    out.push_back(fmt::format("column {} {} pk={} notnull={} autoincrement={} default={}", c.name, lower(c.type),
                              c.primary_key, c.not_null, c.autoincrement,
                              c.default_value ? bare_default(c.default_value->text) : "none"));
  }
  for (const auto& p : t.composite_primary_keys) out.push_back("primary key (" + join(p.columns) + ")");
  for (const auto& i : t.indexes) {
    out.push_back(fmt::format("index {} unique={} ({}){}", lower(i.name), i.is_unique, join(i.columns),
                              i.where ? " where " + *i.where : ""));
  }
  for (const auto& f : t.foreign_keys) {
    out.push_back(fmt::format("foreign key ({}) -> {}({}) on update {} on delete {}", join(f.columns_from), lower(f.table_to),
                              join(f.columns_to), lower(f.on_update), lower(f.on_delete)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

schema::Schema live_schema(Connection& db) {
  schema::Schema s;
  const auto tables = db.execute(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "AND name NOT LIKE '\\_\\_drizzle\\_migrations%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' "
      "ORDER BY name");
  for (std::size_t r = 0; r < tables.row_count(); ++r) {
    schema::Table t;
    t.name = text_of(tables.row(r)[0]);
    const std::string create_sql = text_of(tables.row(r)[1]);
    const Value name[] = {t.name};
    const auto cols = db.execute("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid", name);
    std::vector<std::string> pk_columns;
    for (std::size_t i = 0; i < cols.row_count(); ++i) {
      const auto row = cols.row(i);
      schema::Column c;
      c.name = text_of(row[0]);
      c.type = text_of(row[1]);
      c.not_null = std::get_if<std::int64_t>(&row[2]) && std::get<std::int64_t>(row[2]) != 0;
      if (!is_null(row[3])) c.default_value = schema::ColumnDefault{schema::ColumnDefault::Kind::sql, text_of(row[3])};
      if (const auto* pk = std::get_if<std::int64_t>(&row[4]); pk && *pk > 0) pk_columns.push_back(c.name);
      t.columns.push_back(std::move(c));
    }
    if (pk_columns.size() == 1) {
      for (auto& c : t.columns) {
        if (iequals(c.name, pk_columns[0])) {
          c.primary_key = true;
          c.autoincrement = create_sql.find("AUTOINCREMENT") != std::string::npos;
        }
      }
    } else if (pk_columns.size() > 1) {
      t.composite_primary_keys.push_back({"", pk_columns});
    }
    const auto idx = db.execute("SELECT name, \"unique\" FROM pragma_index_list(?1) WHERE origin = 'c' ORDER BY name", name);
    for (std::size_t i = 0; i < idx.row_count(); ++i) {
      schema::Index index;
      index.name = text_of(idx.row(i)[0]);
      index.is_unique = text_of(idx.row(i)[1]) == "1";
      const Value iname[] = {index.name};
      const auto ic = db.execute("SELECT name FROM pragma_index_info(?1) ORDER BY seqno", iname);
      for (std::size_t k = 0; k < ic.row_count(); ++k) index.columns.push_back(text_of(ic.row(k)[0]));
      const auto isql = db.execute(
          "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1 COLLATE NOCASE", iname);
      if (isql.row_count() == 1) {
        const std::string text = text_of(isql.row(0)[0]);
        if (const auto w = text.find(" WHERE "); w != std::string::npos) {
          std::string where = text.substr(w + 7);
          while (!where.empty() && (where.back() == ';' || std::isspace(static_cast<unsigned char>(where.back())))) where.pop_back();
          index.where = where;
        }
      }
      t.indexes.push_back(std::move(index));
    }
    const auto fks = db.execute(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq", name);
    std::map<std::int64_t, schema::ForeignKey> by_id;
    for (std::size_t i = 0; i < fks.row_count(); ++i) {
      const auto row = fks.row(i);
      auto& fk = by_id[std::get<std::int64_t>(row[0])];
      fk.table_to = text_of(row[1]);
      fk.columns_from.push_back(text_of(row[2]));
      fk.columns_to.push_back(text_of(row[3]));
      fk.on_update = lower(text_of(row[4]));
      fk.on_delete = lower(text_of(row[5]));
    }
    for (auto& [id, fk] : by_id) t.foreign_keys.push_back(std::move(fk));
    s.tables.push_back(std::move(t));
  }
  return s;
}

}  // namespace

std::vector<std::string> check_folder(const MigrationFolder& folder) {
  std::vector<std::string> problems;
  Journal journal;
  try {
    journal = folder.journal();
  } catch (const Error& e) {
    return {e.what()};
  }
  std::string prev_id(kNoSnapshotId);
  std::int64_t prev_when = 0;
  for (std::size_t i = 0; i < journal.entries.size(); ++i) {
    const auto& e = journal.entries[i];
    const std::string prefix = fmt::format("{:04}", e.idx);
    if (e.idx != static_cast<int>(i)) problems.push_back(fmt::format("journal entry {} has idx {} (expected {})", e.tag, e.idx, i));
    if (!e.tag.starts_with(prefix + "_")) problems.push_back(fmt::format("journal entry {}: tag does not start with {}_", e.tag, prefix));
    if (i > 0 && e.when <= prev_when) problems.push_back(fmt::format("journal entry {}: 'when' is not after the previous entry's", e.tag));
    prev_when = e.when;
    const auto sql = folder.dir() / (e.tag + ".sql");
    if (!std::filesystem::exists(sql)) problems.push_back(fmt::format("{} is in the journal but missing", sql.string()));
    const auto snap = folder.dir() / "meta" / (prefix + "_snapshot.json");
    if (!std::filesystem::exists(snap)) {
      problems.push_back(fmt::format("{} is missing", snap.string()));
      continue;
    }
    try {
      const auto s = snapshot_from_json(read_file(snap), snap.string());
      if (s.prev_id != prev_id) {
        problems.push_back(fmt::format("{}: prevId {} is not the previous snapshot's id {}", snap.string(), s.prev_id, prev_id));
      }
      prev_id = s.id;
    } catch (const Error& err) {
      problems.push_back(err.what());
    }
  }
  return problems;
}

std::vector<std::string> check_database(Connection& db, const MigrationFolder& folder) {
  auto problems = check_folder(folder);
  std::vector<Migration> migrations;
  try {
    migrations = folder.migrations();
    for (const auto& m : migrations) split_statements(m);
    const auto pending = pending_migrations(migrations, read_applied(db));
    for (const auto* m : pending) problems.push_back(fmt::format("migration {} is not applied yet (run `deploystack db up`)", m->file.string()));
    if (!pending.empty()) return problems;
  } catch (const Error& e) {
    problems.push_back(e.what());
    return problems;
  }
  const auto latest = folder.latest_snapshot();
  const schema::Schema expected = latest ? latest->schema : schema::Schema{};
  const auto live = live_schema(db);
  // Keyed by lower-cased name: SQLite's identifiers are case-insensitive, and some libSQL
  // servers (the local tursodb) report "authUser" as "authuser".
  std::map<std::string, const schema::Table*> want, have;
  for (const auto& t : expected.tables) want[lower(t.name)] = &t;
  for (const auto& t : live.tables) have[lower(t.name)] = &t;
  for (const auto& [name, t] : want) {
    if (!have.contains(name)) problems.push_back("table " + name + " is in the latest snapshot but not in the database");
  }
  // Plugins own `<id>_*` tables, tracked in `__drizzle_migrations_<id>`: they follow their
  // plugin's own snapshot chain, not the core folder's.
  std::vector<std::string> plugin_prefixes;
  const auto tracking = db.execute(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_\\_drizzle\\_migrations\\_%' ESCAPE '\\'");
  for (std::size_t r = 0; r < tracking.row_count(); ++r) {
    const auto* name = std::get_if<std::string>(&tracking.row(r)[0]);
    if (name) plugin_prefixes.push_back(name->substr(std::string_view("__drizzle_migrations_").size()) + "_");
  }
  const auto owned_by_plugin = [&](const std::string& table) {
    return std::any_of(plugin_prefixes.begin(), plugin_prefixes.end(),
                       [&](const std::string& p) { return table.starts_with(p); });
  };
  for (const auto& [name, t] : have) {
    if (owned_by_plugin(name) && !want.contains(name)) continue;
    const auto w = want.find(name);
    if (w == want.end()) {
      problems.push_back("table " + name + " is in the database but not in the latest snapshot");
      continue;
    }
    // Names of composite keys and foreign keys are not stored by SQLite: compare without them.
    schema::Table expected_table = *w->second;
    for (auto& p : expected_table.composite_primary_keys) p.name.clear();
    const auto a = describe(expected_table);
    const auto b = describe(*t);
    for (const auto& line : a) {
      if (std::find(b.begin(), b.end(), line) == b.end()) problems.push_back("table " + name + ": snapshot has '" + line + "', the database does not");
    }
    for (const auto& line : b) {
      if (std::find(a.begin(), a.end(), line) == a.end()) problems.push_back("table " + name + ": the database has '" + line + "', the snapshot does not");
    }
  }
  return problems;
}

}  // namespace ds::db::migrate
