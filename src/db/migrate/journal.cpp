#include "db/migrate/journal.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace ds::db::migrate {

Journal journal_from_json(std::string_view text, std::string_view source) {
  const auto fail = [&](const std::string& what) -> Error {
    return Error(Errc::validation, std::string(source) + ": not a drizzle journal: " + what);
  };
  try {
    const auto j = nlohmann::json::parse(text);
    if (!j.is_object()) throw fail("not a JSON object");
    if (j.value("dialect", "") != "sqlite") throw fail("dialect is not \"sqlite\"");
    Journal journal;
    for (const auto& e : j.at("entries")) {
      JournalEntry entry;
      entry.idx = e.at("idx").get<int>();
      entry.version = e.value("version", "6");
      entry.when = e.at("when").get<std::int64_t>();
      entry.tag = e.at("tag").get<std::string>();
      entry.breakpoints = e.value("breakpoints", true);
      if (entry.tag.empty() || entry.tag.find('/') != std::string::npos) throw fail("invalid tag '" + entry.tag + "'");
      journal.entries.push_back(std::move(entry));
    }
    return journal;
  } catch (const nlohmann::json::exception& e) {
    throw fail(e.what());
  }
}

std::string to_json(const Journal& journal) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const auto& e : journal.entries) {
    entries.push_back({{"idx", e.idx},
                       {"version", e.version},
                       {"when", e.when},
                       {"tag", e.tag},
                       {"breakpoints", e.breakpoints}});
  }
  nlohmann::ordered_json j = {{"version", "7"}, {"dialect", "sqlite"}, {"entries", std::move(entries)}};
  return j.dump(2);
}

}  // namespace ds::db::migrate
