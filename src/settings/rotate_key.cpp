#include "settings/rotate_key.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "db/query.hpp"
#include "db/schema.sqlite.hpp"

namespace ds::settings {

std::size_t rotate_secrets(db::Connection& db, const Cipher& from, const Cipher& to) {
  using db::core::global_settings;
  std::size_t count = 0;
  db.transaction([&](db::Connection& tx) {
    db::query::Db q(tx);
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
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
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

}  // namespace ds::settings
