#include "db/migrate/generate.hpp"

#include <array>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "db/migrate/diff.hpp"
#include "db/migrate/sql_text.hpp"

namespace ds::db::migrate {
namespace {

constexpr std::string_view kCustomSql = "-- Custom SQL migration file, put your code below! --";

// drizzle-kit picks a random adjective_hero pair; this picks one from the SQL's hash, so the
// same change always gets the same file name.
std::string default_name(const std::string& sql_text) {
  static constexpr std::array<std::string_view, 16> kAdjectives = {
      "amazing", "brave", "calm", "daring", "eager", "fancy", "gentle", "happy",
      "icy", "jolly", "keen", "lively", "mighty", "noble", "quiet", "swift"};
  static constexpr std::array<std::string_view, 16> kHeroes = {
      "hulk", "storm", "thor", "wolverine", "gambit", "rogue", "cyclops", "vision",
      "falcon", "wasp", "ironman", "blade", "nova", "phoenix", "sentry", "titania"};
  const auto h = sha256_hex(sql_text);
  const auto nibble = [&](std::size_t i) { return static_cast<std::size_t>(std::stoi(h.substr(i, 1), nullptr, 16)); };
  return std::string(kAdjectives[nibble(0)]) + "_" + std::string(kHeroes[nibble(1)]);
}

bool valid_name(const std::string& n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

void parse_rename(const std::string& text, Renames& into) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) throw Error(Errc::validation, "--rename '" + text + "': expected table.old=table.new or old=new");
  const std::string from = text.substr(0, eq);
  const std::string to = text.substr(eq + 1);
  const auto fd = from.find('.');
  const auto td = to.find('.');
  if (fd == std::string::npos && td == std::string::npos && !from.empty() && !to.empty()) {
    into.tables.emplace_back(from, to);
    return;
  }
  if (fd == std::string::npos || td == std::string::npos || from.substr(0, fd) != to.substr(0, td) || fd + 1 >= from.size() ||
      td + 1 >= to.size()) {
    throw Error(Errc::validation, "--rename '" + text + "': a column rename is table.old=table.new (the same table on both sides)");
  }
  into.columns.push_back({from.substr(0, fd), from.substr(fd + 1), to.substr(td + 1)});
}

GenerateResult generate_migration(MigrationFolder& folder, const schema::Schema& schema, const GenerateOptions& options) {
  if (options.name && !valid_name(*options.name)) {
    throw Error(Errc::validation, "--name '" + *options.name + "': use letters, digits, '_' and '-'");
  }
  const auto previous = folder.latest_snapshot();
  Snapshot next;
  next.id = uuid_v4();
  next.prev_id = previous ? previous->id : std::string(kNoSnapshotId);
  GenerateResult result;
  std::string text;
  if (options.custom) {
    // drizzle-kit's custom snapshot repeats the previous schema unchanged.
    if (previous) next.schema = previous->schema;
    text = kCustomSql;
  } else {
    const auto diff = diff_schemas(previous ? previous->schema : schema::Schema{}, schema, options.renames);
    result.likely_renames = diff.likely_renames;
    result.statements = diff.statements;
    if (diff.statements.empty()) return result;
    next.schema = schema;
    next.renames = options.renames;
    text = sql::join(diff.statements);
  }
  const std::string name = options.name ? *options.name : default_name(text);
  result.sql_file = folder.write_next(name, text, next, options.custom, now_ms().time_since_epoch().count());
  return result;
}

}  // namespace ds::db::migrate
