#include "db/migrate/snapshot.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace ds::db::migrate {
namespace {

using Json = nlohmann::ordered_json;

Json default_to_json(const schema::ColumnDefault& d) {
  using Kind = schema::ColumnDefault::Kind;
  switch (d.kind) {
    case Kind::boolean: return d.text == "true";
    case Kind::number: return Json::parse(d.text);  // the decimal text is a valid JSON number
    case Kind::sql: break;
  }
  return d.text;
}

Json names(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

Json table_to_json(const schema::Table& t) {
  Json columns = Json::object();
  for (const auto& c : t.columns) {
    Json j = {{"name", c.name},
              {"type", c.type},
              {"primaryKey", c.primary_key},
              {"notNull", c.not_null},
              {"autoincrement", c.autoincrement}};
    if (c.default_value) j["default"] = default_to_json(*c.default_value);
    columns[c.name] = std::move(j);
  }
  Json indexes = Json::object();
  for (const auto& i : t.indexes) {
    Json j = {{"name", i.name}, {"columns", names(i.columns)}, {"isUnique", i.is_unique}};
    if (i.where) j["where"] = *i.where;
    indexes[i.name] = std::move(j);
  }
  Json fks = Json::object();
  for (const auto& f : t.foreign_keys) {
    fks[f.name] = {{"name", f.name},         {"tableFrom", f.table_from},
                   {"tableTo", f.table_to},  {"columnsFrom", names(f.columns_from)},
                   {"columnsTo", names(f.columns_to)}, {"onDelete", f.on_delete},
                   {"onUpdate", f.on_update}};
  }
  Json pks = Json::object();
  for (const auto& p : t.composite_primary_keys) pks[p.name] = {{"columns", names(p.columns)}, {"name", p.name}};
  Json uniques = Json::object();
  for (const auto& u : t.unique_constraints) uniques[u.name] = {{"name", u.name}, {"columns", names(u.columns)}};
  Json checks = Json::object();
  for (const auto& c : t.check_constraints) checks[c.name] = {{"name", c.name}, {"value", c.value}};
  return {{"name", t.name},
          {"columns", std::move(columns)},
          {"indexes", std::move(indexes)},
          {"foreignKeys", std::move(fks)},
          {"compositePrimaryKeys", std::move(pks)},
          {"uniqueConstraints", std::move(uniques)},
          {"checkConstraints", std::move(checks)}};
}

std::string dquote(std::string_view s) { return "\"" + std::string(s) + "\""; }

Json meta_to_json(const Renames& r, bool custom_layout) {
  Json tables = Json::object();
  for (const auto& [from, to] : r.tables) tables[dquote(from)] = dquote(to);
  Json columns = Json::object();
  for (const auto& c : r.columns) columns[dquote(c.table) + "." + dquote(c.from)] = dquote(c.table) + "." + dquote(c.to);
  if (custom_layout) return {{"columns", std::move(columns)}, {"schemas", Json::object()}, {"tables", std::move(tables)}};
  return {{"schemas", Json::object()}, {"tables", std::move(tables)}, {"columns", std::move(columns)}};
}

[[noreturn]] void invalid(std::string_view source, const std::string& what) {
  throw Error(Errc::validation, std::string(source) + ": not a drizzle sqlite snapshot: " + what);
}

std::vector<std::string> read_names(const Json& j, std::string_view source, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key) || !j.at(key).is_array()) invalid(source, std::string("missing array '") + key + "'");
  for (const auto& s : j.at(key)) out.push_back(s.get<std::string>());
  return out;
}

template <class T>
T get_or(const Json& j, const char* key, T fallback) {
  const auto it = j.find(key);
  return it == j.end() || it->is_null() ? fallback : it->template get<T>();
}

const Json& object_at(const Json& j, const char* key) {
  static const Json empty = Json::object();
  const auto it = j.find(key);
  return it == j.end() || !it->is_object() ? empty : *it;
}

schema::Table table_from_json(const Json& j, std::string_view source) {
  schema::Table t;
  t.name = j.at("name").get<std::string>();
  for (const auto& [key, c] : object_at(j, "columns").items()) {
    schema::Column col;
    col.name = c.at("name").get<std::string>();
    col.type = c.at("type").get<std::string>();
    col.primary_key = get_or(c, "primaryKey", false);
    col.not_null = get_or(c, "notNull", false);
    col.autoincrement = get_or(c, "autoincrement", false);
    if (const auto d = c.find("default"); d != c.end() && !d->is_null()) {
      using Kind = schema::ColumnDefault::Kind;
      if (d->is_boolean()) col.default_value = schema::ColumnDefault{Kind::boolean, d->get<bool>() ? "true" : "false"};
      else if (d->is_number()) col.default_value = schema::ColumnDefault{Kind::number, d->dump()};
      else if (d->is_string()) col.default_value = schema::ColumnDefault{Kind::sql, d->get<std::string>()};
      else invalid(source, "column " + t.name + "." + col.name + " has an unsupported default");
    }
    t.columns.push_back(std::move(col));
  }
  for (const auto& [key, i] : object_at(j, "indexes").items()) {
    schema::Index idx;
    idx.name = i.at("name").get<std::string>();
    idx.columns = read_names(i, source, "columns");
    idx.is_unique = get_or(i, "isUnique", false);
    if (const auto w = i.find("where"); w != i.end() && w->is_string()) idx.where = w->get<std::string>();
    t.indexes.push_back(std::move(idx));
  }
  for (const auto& [key, f] : object_at(j, "foreignKeys").items()) {
    schema::ForeignKey fk;
    fk.name = f.at("name").get<std::string>();
    fk.table_from = f.at("tableFrom").get<std::string>();
    fk.table_to = f.at("tableTo").get<std::string>();
    fk.columns_from = read_names(f, source, "columnsFrom");
    fk.columns_to = read_names(f, source, "columnsTo");
    fk.on_delete = get_or<std::string>(f, "onDelete", "no action");
    fk.on_update = get_or<std::string>(f, "onUpdate", "no action");
    t.foreign_keys.push_back(std::move(fk));
  }
  for (const auto& [key, p] : object_at(j, "compositePrimaryKeys").items()) {
    t.composite_primary_keys.push_back({get_or<std::string>(p, "name", key), read_names(p, source, "columns")});
  }
  for (const auto& [key, u] : object_at(j, "uniqueConstraints").items()) {
    t.unique_constraints.push_back({get_or<std::string>(u, "name", key), read_names(u, source, "columns")});
  }
  for (const auto& [key, c] : object_at(j, "checkConstraints").items()) {
    t.check_constraints.push_back({get_or<std::string>(c, "name", key), c.at("value").get<std::string>()});
  }
  return t;
}

// `"t"."c"` -> {t, c}; `"t"` -> {t, ""}.
std::pair<std::string, std::string> unquote_key(const std::string& key) {
  std::vector<std::string> parts;
  std::string cur;
  bool in = false;
  for (char ch : key) {
    if (ch == '"') {
      if (in) parts.push_back(cur);
      cur.clear();
      in = !in;
    } else if (in) {
      cur += ch;
    }
  }
  if (parts.empty()) return {key, ""};
  if (parts.size() == 1) return {parts[0], ""};
  return {parts[0], parts[1]};
}

}  // namespace

std::string to_json(const Snapshot& snapshot, bool custom_layout) {
  std::vector<const schema::Table*> sorted;
  for (const auto& t : snapshot.schema.tables) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  Json tables = Json::object();
  for (const auto* t : sorted) tables[t->name] = table_to_json(*t);

  Json j = Json::object();
  if (custom_layout) {
    j["id"] = snapshot.id;
    j["prevId"] = snapshot.prev_id;
  }
  j["version"] = "6";
  j["dialect"] = "sqlite";
  if (!custom_layout) {
    j["id"] = snapshot.id;
    j["prevId"] = snapshot.prev_id;
  }
  j["tables"] = std::move(tables);
  j["views"] = Json::object();
  j["enums"] = Json::object();
  j["_meta"] = meta_to_json(snapshot.renames, custom_layout);
  j["internal"] = {{"indexes", Json::object()}};
  return j.dump(2);
}

Snapshot snapshot_from_json(std::string_view text, std::string_view source) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    invalid(source, e.what());
  }
  if (!j.is_object()) invalid(source, "not a JSON object");
  try {
    if (get_or<std::string>(j, "dialect", "") != "sqlite") invalid(source, "dialect is not \"sqlite\"");
    if (get_or<std::string>(j, "version", "") != "6") invalid(source, "version is not \"6\"");
    Snapshot s;
    s.id = j.at("id").get<std::string>();
    s.prev_id = get_or<std::string>(j, "prevId", std::string(kNoSnapshotId));
    for (const auto& [name, t] : object_at(j, "tables").items()) s.schema.tables.push_back(table_from_json(t, source));
    const Json& meta = object_at(j, "_meta");
    for (const auto& [from, to] : object_at(meta, "tables").items()) {
      s.renames.tables.emplace_back(unquote_key(from).first, unquote_key(to.get<std::string>()).first);
    }
    for (const auto& [from, to] : object_at(meta, "columns").items()) {
      const auto f = unquote_key(from);
      const auto t = unquote_key(to.get<std::string>());
      s.renames.columns.push_back({t.first, f.second, t.second});
    }
    return s;
  } catch (const Json::exception& e) {
    invalid(source, e.what());
  }
}

}  // namespace ds::db::migrate
