#include "db/migrate/journal.hpp"

#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace ds::db::migrate {

Journal journal_from_json(std::string_view text, std::string_view source) {
  const auto fail = [&](const std::string& what) -> Error {
    return Error(Errc::validation, std::string(source) + ": not a drizzle journal: " + what);
  };
  // nlohmann's get<int> casts a float (undefined behaviour past the range) or a too large
  // number without a word: accept only integers the field can hold.
  const auto integer = [&](const nlohmann::json& entry, const char* key,
                           auto limit) -> decltype(limit) {
    const auto& v = entry.at(key);
    using Int = decltype(limit);
    if (v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(limit)) {
      return static_cast<Int>(v.get<std::uint64_t>());
    }
    if (v.is_number_integer() && !v.is_number_unsigned() &&
        v.get<std::int64_t>() >= std::numeric_limits<Int>::min() &&
        v.get<std::int64_t>() <= limit) {
      return static_cast<Int>(v.get<std::int64_t>());
    }
    throw fail(std::string("\"") + key + "\" is not an integer in range");
  };
  try {
    const auto j = nlohmann::json::parse(text);
    if (!j.is_object()) throw fail("not a JSON object");
    if (j.value("dialect", "") != "sqlite") throw fail("dialect is not \"sqlite\"");
    Journal journal;
    for (const auto& e : j.at("entries")) {
      JournalEntry entry;
      entry.idx = integer(e, "idx", std::numeric_limits<int>::max());
      entry.version = e.value("version", "6");
      entry.when = integer(e, "when", std::numeric_limits<std::int64_t>::max());
      entry.tag = e.at("tag").get<std::string>();
      entry.breakpoints = e.value("breakpoints", true);
      if (entry.tag.empty() || entry.tag.find('/') != std::string::npos)
        throw fail("invalid tag '" + entry.tag + "'");
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
  nlohmann::ordered_json j = {
      {"version", "7"}, {"dialect", "sqlite"}, {"entries", std::move(entries)}};
  return j.dump(2);
}

}  // namespace ds::db::migrate
