#include "db/migrate/diff.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "db/migrate/sql_text.hpp"

namespace ds::db::migrate {
namespace {

using schema::Column;
using schema::Index;
using schema::Table;

// One step before combining, like drizzle-kit's JSON statements. `rebuild` marks a change
// SQLite cannot make in place.
struct Step {
  enum class Kind { create_table, drop_table, rename_table, rename_column, drop_index, add_column,
                    create_index, drop_column, rebuild } kind;
  std::string table;  // the table the step belongs to (rename_table: the new name)
  std::string sql;    // the statement (empty for rebuild)
  std::string column; // add_column: the column's name
};

template <class T>
const T* find_named(const std::vector<T>& v, const std::string& name) {
  for (const auto& x : v) {
    if (iequals(x.name, name)) return &x;  // SQLite identifiers ignore (ASCII) case
  }
  return nullptr;
}

std::vector<const Table*> sorted_tables(const schema::Schema& s) {
  std::vector<const Table*> out;
  for (const auto& t : s.tables) out.push_back(&t);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

template <class T>
bool same_set(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&](const T& x) { return std::find(b.begin(), b.end(), x) != b.end(); });
}

}  // namespace

SchemaDiff diff_schemas(const schema::Schema& before, const schema::Schema& after, const Renames& renames) {
  SchemaDiff result;
  const auto old_tables = sorted_tables(before);
  const auto new_tables = sorted_tables(after);

  // Tables: renames first, so that the rest compares like with like.
  std::map<std::string, std::string> table_renamed;  // old -> new
  for (const auto& [from, to] : renames.tables) {
    if (!find_named(before.tables, from)) throw Error(Errc::validation, "--rename: table '" + from + "' is not in the previous snapshot");
    if (!find_named(after.tables, to)) throw Error(Errc::validation, "--rename: table '" + to + "' is not in the schema");
    table_renamed[from] = to;
  }
  const auto new_name_of = [&](const std::string& old) {
    const auto it = table_renamed.find(old);
    return it == table_renamed.end() ? old : it->second;
  };
  std::vector<Table> patched;  // `before` with table and column renames applied, old order
  for (const auto* t : old_tables) {
    patched.push_back(*t);
    patched.back().name = new_name_of(t->name);
  }

  std::vector<const Table*> created;
  std::vector<const Table*> dropped;
  for (const auto* t : new_tables) {
    if (!find_named(patched, t->name)) created.push_back(t);
  }
  for (const auto& t : patched) {
    if (!find_named(after.tables, t.name)) dropped.push_back(&t);
  }
  if (!created.empty() && !dropped.empty()) {
    for (const auto* d : dropped) {
      for (const auto* c : created) {
        result.likely_renames.push_back("table '" + d->name + "' disappeared and table '" + c->name +
                                        "' appeared: this drops '" + d->name + "' with its data. If it is a rename, use --rename " +
                                        d->name + "=" + c->name);
      }
    }
  }

  for (const auto& r : renames.columns) {
    auto* t = const_cast<Table*>(find_named(patched, r.table));
    const Table* n = find_named(after.tables, r.table);
    if (!t || !n) throw Error(Errc::validation, "--rename: table '" + r.table + "' is not in both the previous snapshot and the schema");
    auto* c = const_cast<Column*>(find_named(t->columns, r.from));
    if (!c) throw Error(Errc::validation, "--rename: column '" + r.table + "." + r.from + "' is not in the previous snapshot");
    if (!find_named(n->columns, r.to)) throw Error(Errc::validation, "--rename: column '" + r.table + "." + r.to + "' is not in the schema");
    c->name = r.to;
  }
  // The renamed columns' old names inside indexes/keys are the old table's business: the
  // comparisons below use the patched columns only.

  std::vector<Step> steps;
  for (const auto* t : created) steps.push_back({Step::Kind::create_table, t->name, sql::create_table(*t), {}});
  for (const auto* t : dropped) steps.push_back({Step::Kind::drop_table, t->name, sql::drop_table(t->name), {}});
  for (const auto& [from, to] : renames.tables) steps.push_back({Step::Kind::rename_table, to, sql::rename_table(from, to), {}});
  for (const auto& r : renames.columns) {
    steps.push_back({Step::Kind::rename_column, r.table, sql::rename_column(r.table, r.from, r.to), {}});
  }

  struct Altered {
    const Table* old_table;
    const Table* new_table;
  };
  std::vector<Altered> altered;
  for (const auto& t : patched) {
    if (const Table* n = find_named(after.tables, t.name)) altered.push_back({&t, n});
  }

  std::vector<Step> drop_indexes, alterations, add_columns, create_indexes, create_refs, drop_columns, late_drop_idx, late_create_idx;
  for (const auto& [o, n] : altered) {
    std::vector<const Column*> added;
    std::vector<const Column*> removed;
    for (const auto& c : n->columns) {
      if (!find_named(o->columns, c.name)) added.push_back(&c);
    }
    for (const auto& c : o->columns) {
      if (!find_named(n->columns, c.name)) removed.push_back(&c);
    }
    for (const auto* r : removed) {
      for (const auto* a : added) {
        result.likely_renames.push_back("column '" + n->name + "." + r->name + "' disappeared and '" + n->name + "." +
                                        a->name + "' appeared: this drops '" + r->name + "' with its data. If it is a rename, use --rename " +
                                        n->name + "." + r->name + "=" + n->name + "." + a->name);
      }
    }
    // Captures a copy of the binding: clang before 16 cannot capture structured bindings.
    const auto rebuild = [table = n](std::vector<Step>& into) { into.push_back({Step::Kind::rebuild, table->name, {}, {}}); };

    // Foreign keys: a removed or changed one needs a rebuild; an added one too, unless it is
    // the single-column key of a column added now (ADD COLUMN ... REFERENCES).
    for (const auto& fk : o->foreign_keys) {
      const auto* now = find_named(n->foreign_keys, fk.name);
      if (!now || !(*now == fk)) rebuild(alterations);
    }
    if (!same_set(o->check_constraints, n->check_constraints)) rebuild(alterations);
    for (const auto& i : o->indexes) {
      const auto* now = find_named(n->indexes, i.name);
      if (!now) drop_indexes.push_back({Step::Kind::drop_index, n->name, sql::drop_index(i.name), {}});
      else if (!(*now == i)) {
        late_drop_idx.push_back({Step::Kind::drop_index, n->name, sql::drop_index(i.name), {}});
        late_create_idx.push_back({Step::Kind::create_index, n->name, sql::create_index(n->name, *now), {}});
      }
    }
    if (!same_set(o->composite_primary_keys, n->composite_primary_keys)) rebuild(alterations);
    for (const auto& c : n->columns) {
      const auto* was = find_named(o->columns, c.name);
      if (was && !(*was == c)) rebuild(alterations);
    }
    if (!same_set(o->unique_constraints, n->unique_constraints)) rebuild(alterations);
    for (const auto* c : added) {
      if (c->primary_key) {
        rebuild(add_columns);
        continue;
      }
      const schema::ForeignKey* ref = nullptr;
      for (const auto& fk : n->foreign_keys) {
        const bool is_new = !find_named(o->foreign_keys, fk.name);
        if (is_new && std::find(fk.columns_from.begin(), fk.columns_from.end(), c->name) != fk.columns_from.end()) {
          ref = &fk;
          break;
        }
      }
      add_columns.push_back({Step::Kind::add_column, n->name, sql::add_column(n->name, *c, ref), c->name});
    }
    for (const auto& i : n->indexes) {
      if (!find_named(o->indexes, i.name)) create_indexes.push_back({Step::Kind::create_index, n->name, sql::create_index(n->name, i), {}});
    }
    for (const auto& fk : n->foreign_keys) {
      if (find_named(o->foreign_keys, fk.name)) continue;
      const bool on_added_column =
          fk.columns_from.size() == 1 &&
          std::any_of(added.begin(), added.end(), [&](const Column* c) { return c->name == fk.columns_from[0]; });
      if (!on_added_column) rebuild(create_refs);
    }
    for (const auto* c : removed) drop_columns.push_back({Step::Kind::drop_column, n->name, sql::drop_column(n->name, c->name), {}});
  }
  // drizzle-kit's order: dropped references/checks and dropped indexes, then the column
  // alterations, added columns, indexes of created then altered tables, added references,
  // dropped columns.
  std::vector<Step> created_indexes;
  for (const auto* t : created) {
    for (const auto& i : t->indexes) created_indexes.push_back({Step::Kind::create_index, t->name, sql::create_index(t->name, i), {}});
  }
  for (auto* part : {&drop_indexes, &late_drop_idx, &alterations, &add_columns, &created_indexes, &create_indexes,
                     &late_create_idx, &create_refs, &drop_columns}) {
    steps.insert(steps.end(), part->begin(), part->end());
  }

  // Combine per table (drizzle-kit's sqliteCombineStatements): once a table is rebuilt, the
  // rebuild replaces its other steps, except renames, which must run before the copy.
  std::vector<std::string> order;  // tables in first-seen order
  std::map<std::string, std::vector<Step>> groups;
  const auto has = [](const std::vector<Step>& g, Step::Kind k) {
    return std::any_of(g.begin(), g.end(), [&](const Step& s) { return s.kind == k; });
  };
  for (auto& step : steps) {
    auto it = groups.find(step.table);
    if (it == groups.end()) {
      order.push_back(step.table);
      groups[step.table].push_back(std::move(step));
      continue;
    }
    auto& group = it->second;
    if (has(group, Step::Kind::rebuild)) continue;
    if (step.kind == Step::Kind::rebuild) {
      std::erase_if(group, [](const Step& s) { return s.kind != Step::Kind::rename_table && s.kind != Step::Kind::rename_column; });
    }
    group.push_back(std::move(step));
  }

  std::vector<std::string> renamed_tables, renamed_columns, rest;
  for (const auto& name : order) {
    for (const auto& step : groups[name]) {
      if (step.kind == Step::Kind::rename_table) renamed_tables.push_back(step.sql);
      else if (step.kind == Step::Kind::rename_column) renamed_columns.push_back(step.sql);
      else if (step.kind != Step::Kind::rebuild) rest.push_back(step.sql);
      else {
        const Table* n = find_named(after.tables, name);
        const Table* o = find_named(patched, name);
        std::vector<std::string> copy;
        for (const auto& c : n->columns) {
          if (find_named(o->columns, c.name)) copy.push_back(c.name);
        }
        for (auto& s : sql::rebuild_table(*n, copy)) rest.push_back(std::move(s));
      }
    }
  }
  for (auto* part : {&renamed_tables, &renamed_columns, &rest}) {
    for (auto& s : *part) {
      if (std::find(result.statements.begin(), result.statements.end(), s) == result.statements.end()) {
        result.statements.push_back(std::move(s));
      }
    }
  }
  return result;
}

}  // namespace ds::db::migrate
