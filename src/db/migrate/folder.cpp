#include "db/migrate/folder.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/sha256.hpp"

namespace fs = std::filesystem;

namespace ds::db::migrate {

MigrationFolder::MigrationFolder(fs::path dir) : dir_(std::move(dir)) {
  if (!fs::is_directory(dir_)) throw Error(Errc::io, "migrations folder " + dir_.string() + " does not exist");
}

Journal MigrationFolder::journal() const {
  const auto path = journal_path();
  if (!fs::exists(path)) return {};
  return journal_from_json(read_file(path), path.string());
}

std::vector<Migration> MigrationFolder::migrations() const {
  std::vector<Migration> out;
  for (auto& entry : journal().entries) {
    Migration m;
    m.file = dir_ / (entry.tag + ".sql");
    if (!fs::exists(m.file)) {
      throw Error(Errc::io, fmt::format("migration {} is in the journal but its file {} is missing", entry.tag, m.file.string()));
    }
    m.sql = read_file(m.file);
    m.hash = sha256_hex(m.sql);
    m.entry = std::move(entry);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<fs::path> MigrationFolder::snapshot_files() const {
  std::vector<fs::path> out;
  const auto meta = dir_ / "meta";
  if (!fs::is_directory(meta)) return out;
  for (const auto& e : fs::directory_iterator(meta)) {
    const auto name = e.path().filename().string();
    if (name.ends_with("_snapshot.json")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<Snapshot> MigrationFolder::latest_snapshot() const {
  const auto files = snapshot_files();
  if (files.empty()) return std::nullopt;
  return snapshot_from_json(read_file(files.back()), files.back().string());
}

fs::path MigrationFolder::write_next(const std::string& name, const std::string& sql_text, const Snapshot& snapshot,
                                     bool custom_layout, std::int64_t when_ms) {
  Journal j = journal();
  const int idx = j.entries.empty() ? 0 : j.entries.back().idx + 1;
  const std::string prefix = fmt::format("{:04}", idx);
  const std::string tag = prefix + "_" + name;
  // Snapshot and SQL first, journal last: a crash in between leaves files the journal does
  // not list, which every reader ignores.
  write_file_atomically(dir_ / "meta" / (prefix + "_snapshot.json"), to_json(snapshot, custom_layout));
  const auto sql_path = dir_ / (tag + ".sql");
  write_file_atomically(sql_path, sql_text);
  j.entries.push_back({idx, "6", when_ms, tag, true});
  write_file_atomically(journal_path(), to_json(j));
  return sql_path;
}

fs::path locate_migrations(const std::optional<std::string>& flag, const std::optional<std::string>& env_value) {
  if (flag) return *flag;
  if (env_value) return *env_value;
  std::vector<fs::path> tried;
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto bin = exe.parent_path();
    tried.push_back(bin.parent_path() / "share" / "deploystack" / "migrations_sqlite");
    tried.push_back(bin.parent_path() / "drizzle" / "migrations_sqlite");
    tried.push_back(bin / "drizzle" / "migrations_sqlite");
  }
  for (const auto& p : tried) {
    if (fs::is_directory(p)) return p;
  }
  std::string where;
  for (const auto& p : tried) where += "\n  " + p.string();
  throw Error(Errc::io, "no migrations folder found. Pass --migrations DIR or set DEPLOYSTACK_MIGRATIONS_DIR. Looked in:" + where);
}

}  // namespace ds::db::migrate
