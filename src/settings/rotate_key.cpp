#include "settings/rotate_key.hpp"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

#include "core/error.hpp"
#include "core/time.hpp"
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"
#include "settings/key_management.hpp"

namespace ds::settings {
namespace {

using db::core::global_settings;

[[noreturn]] void fail(std::string_view what, const std::filesystem::path& path) {
  throw_errno(errno, fmt::format("cannot {} {}", what, path.string()));
}

void fsync_folder(const std::filesystem::path& file) {
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open the folder", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("fsync the folder", dir);
}

// `<file><suffix>-<UTC time>`, with -2, -3 ... when that name is taken: a name no file has.
std::filesystem::path dated_name(const std::filesystem::path& file, std::string_view suffix) {
  const auto now = now_seconds();
  const std::string base = fmt::format("{}{}-{:%Y%m%dT%H%M%SZ}", file.string(), suffix, now);
  std::filesystem::path name = base;
  std::error_code ec;
  for (int i = 2; std::filesystem::exists(std::filesystem::symlink_status(name, ec)); ++i) {
    name = fmt::format("{}-{}", base, i);
  }
  return name;
}

}  // namespace

std::filesystem::path set_key_file_aside(const std::filesystem::path& file,
                                         std::string_view suffix) {
  // The name is new (dated_name), so the rename replaces nothing.
  const auto target = dated_name(file, suffix);
  if (::rename(file.c_str(), target.c_str()) != 0) fail("rename", file);
  fsync_folder(file);
  return target;
}

std::vector<StoredSecret> stored_secrets(db::Connection& db) {
  std::vector<StoredSecret> out;
  for (auto& row : db::query::Db(db)
                       .select(global_settings)
                       .where(global_settings.is_encrypted == true)
                       .all()) {
    out.push_back({std::move(row.key), std::move(row.value)});
  }
  return out;
}

bool decrypts_any(const Cipher& cipher, const std::vector<StoredSecret>& secrets) {
  for (const auto& s : secrets) {
    if (cipher.decrypt(s.value, s.key)) return true;
  }
  return false;
}

std::filesystem::path pending_key_file(const std::filesystem::path& key_file) {
  return key_file.string() + ".new";
}

std::size_t rotate_secrets(db::Connection& db, const Cipher& from, const Cipher& to) {
  std::size_t count = 0;
  db::query::Db(db).transaction([&](db::query::Tx& q) {
    const auto rows = q.select(global_settings).where(global_settings.is_encrypted == true).all();
    std::vector<std::string> unreadable;
    std::vector<std::pair<const std::string*, std::string>> sealed;
    sealed.reserve(rows.size());
    for (const auto& row : rows) {
      auto plain = from.decrypt(row.value, row.key);
      if (!plain) {
        unreadable.push_back(row.key);
        continue;
      }
      sealed.emplace_back(&row.key, to.encrypt(*plain, row.key));
    }
    if (!unreadable.empty()) {
      throw Error(Errc::validation,
                  fmt::format("the current key does not decrypt: {}; nothing was changed",
                              fmt::join(unreadable, ", ")));
    }
    const auto now = now_seconds();
    for (auto& [key, value] : sealed) {
      q.update(global_settings)
          .set({.value = std::move(value), .updated_at = now})
          .where(global_settings.key == *key)
          .run();
    }
    count = sealed.size();
  });
  return count;
}

std::optional<std::filesystem::path> finish_rotation(const std::filesystem::path& key_file) {
  const auto pending = pending_key_file(key_file);
  std::optional<std::filesystem::path> retired;
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(key_file, ec))) {
    // The old key keeps a name of its own before the rename replaces this one.
    retired = dated_name(key_file, ".retired");
    if (::link(key_file.c_str(), retired->c_str()) != 0) fail("keep the old key as", *retired);
    spdlog::info("settings: the previous key stays in {} (for backups made before the rotation)",
                 retired->string());
  }
  if (::rename(pending.c_str(), key_file.c_str()) != 0) fail("move the new key into", key_file);
  fsync_folder(key_file);
  return retired;
}

PendingRotation resolve_pending_rotation(const std::filesystem::path& key_file,
                                         const Cipher* current,
                                         const std::vector<StoredSecret>& secrets) {
  const auto pending_path = pending_key_file(key_file);
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(pending_path, ec))) {
    return PendingRotation::none;
  }
  std::optional<Cipher::Key> key;
  try {
    key = read_key_file(pending_path);
  } catch (const Error& e) {
    spdlog::error(
        "settings: pending key {} from an interrupted rotation is unreadable ({}); left as it "
        "is. Move it away once you are sure it is not needed, then restart",
        pending_path.string(), e.what());
    return PendingRotation::unresolved;
  }
  if (!key) return PendingRotation::none;
  const Cipher pending(*key);
  sodium_memzero(key->data(), key->size());
  // Committed, or nothing to decide by: either way, the rotation the operator asked for.
  if (secrets.empty() || decrypts_any(pending, secrets)) {
    finish_rotation(key_file);
    spdlog::warn(
        "settings: finished an interrupted key rotation: {} (fingerprint {}) is now the key",
        key_file.string(), pending.fingerprint());
    return PendingRotation::finished;
  }
  if (current != nullptr && decrypts_any(*current, secrets)) {
    const auto aside = set_key_file_aside(pending_path, ".abandoned");
    spdlog::warn(
        "settings: rolled back an interrupted key rotation (it never committed): the current key "
        "still decrypts the secrets; the unused new key was moved to {}",
        aside.string());
    return PendingRotation::rolled_back;
  }
  spdlog::error(
      "settings: pending key {} from an interrupted rotation does not decrypt the stored secrets, "
      "and neither does the configured key; both are left as they are. Configure the key the "
      "secrets were made under and restart",
      pending_path.string());
  return PendingRotation::unresolved;
}

}  // namespace ds::settings
