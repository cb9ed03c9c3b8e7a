#include "setup/backup.hpp"

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/time.hpp"

namespace ds::setup {
namespace {

std::string_view source_name(settings::KeySource source) {
  switch (source) {
    case settings::KeySource::environment:
      return "DEPLOYSTACK_ENCRYPTION_SECRET";
    case settings::KeySource::key_file:
      return "key_file";
    case settings::KeySource::none:
      return "none";
  }
  return "none";
}

}  // namespace

db::BackupOptions backup_options(const Config& config) {
  db::BackupOptions o;
  o.pages_per_step = config.backup_step_pages;
  o.pause_between_steps = std::chrono::milliseconds(config.backup_step_pause_ms);
  return o;
}

std::filesystem::path manifest_file(const std::filesystem::path& copy) {
  return std::filesystem::path(copy.string() + ".manifest.json");
}

BackupMade back_up(const db::DatabaseTarget& target, const std::filesystem::path& file,
                   const settings::KeyManager* keys, const db::BackupOptions& options) {
  BackupMade out;
  out.copy = db::backup_database(target, file, options);
  if (keys) {
    out.key_source = keys->source();
    if (const auto cipher = keys->cipher()) out.key_fingerprint = cipher->fingerprint();
  }

  nlohmann::ordered_json migrations{{"count", out.copy.migrations.size()}, {"last_hash", nullptr}};
  if (!out.copy.migrations.empty()) migrations["last_hash"] = out.copy.migrations.back().hash;
  const std::string note =
      !keys ? std::string(
                  "The settings encryption key is not in this backup, and it could not be "
                  "read when the backup was made: keep the key with the backup")
      : out.key_source == settings::KeySource::key_file
          ? "The settings encryption key is not in this backup: keep " + keys->key_file().string() +
                " (the key with this fingerprint) with it, or its encrypted settings cannot be read"
      : out.key_source == settings::KeySource::environment
          ? std::string(
                "The settings encryption key is not in this backup: keep the value of "
                "DEPLOYSTACK_ENCRYPTION_SECRET (the key with this fingerprint) with it")
          : std::string("No settings encryption key was configured when this backup was made");
  const nlohmann::ordered_json manifest{
      {"format", 1},
      {"created_at", to_iso8601(now_ms())},
      {"file", file.filename().string()},
      {"bytes", out.copy.bytes},
      {"integrity", "ok"},
      {"migrations", std::move(migrations)},
      {"encryption_key",
       {{"in_backup", false},
        {"source", source_name(out.key_source)},
        {"fingerprint", out.key_fingerprint ? nlohmann::ordered_json(*out.key_fingerprint)
                                            : nlohmann::ordered_json(nullptr)},
        {"note", note}}}};
  out.manifest = manifest_file(file);
  write_file_atomically(out.manifest, manifest.dump(2) + "\n");
  return out;
}

std::optional<std::string> recorded_key_fingerprint(const std::filesystem::path& copy) {
  std::error_code ec;
  const auto path = manifest_file(copy);
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(read_file(path), nullptr, false);
    if (!j.is_object()) return std::nullopt;
    const auto key = j.find("encryption_key");
    if (key == j.end() || !key->is_object()) return std::nullopt;
    const auto fp = key->find("fingerprint");
    if (fp == key->end() || !fp->is_string()) return std::nullopt;
    return fp->get<std::string>();
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace ds::setup
