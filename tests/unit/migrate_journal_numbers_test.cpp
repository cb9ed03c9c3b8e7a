// The journal's numbers: a float or an out-of-range value is a clear validation error, never a
// silent cast (found by fuzz/migration_journal_fuzzer.cpp: a huge float `when` was undefined
// behaviour).
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "db/migrate/journal.hpp"

namespace ds::db::migrate {
namespace {

std::string journal_with(const std::string& idx, const std::string& when) {
  return R"({"version":"7","dialect":"sqlite","entries":[{"idx":)" + idx +
         R"(,"version":"6","when":)" + when + R"(,"tag":"0000_init","breakpoints":true}]})";
}

void expect_validation_error(const std::string& text) {
  try {
    (void)journal_from_json(text, "meta/_journal.json");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::validation) << e.what();
    EXPECT_NE(std::string(e.what()).find("meta/_journal.json"), std::string::npos) << e.what();
  }
}

TEST(MigrateJournalNumbers, FloatOrOutOfRangeNumbersAreRejected) {
  expect_validation_error(journal_with("0", "17956570394295657039553"));  // a float past int64
  expect_validation_error(journal_with("0", "1.5"));
  expect_validation_error(journal_with("0", "18446744073709551615"));  // past int64
  expect_validation_error(journal_with("1.5e300", "1"));
  expect_validation_error(journal_with("4294967296", "1"));  // past int
  expect_validation_error(journal_with("\"0\"", "1"));
}

TEST(MigrateJournalNumbers, IntegersInRangeAreRead) {
  const auto j = journal_from_json(journal_with("2147483647", "9223372036854775807"), "j");
  ASSERT_EQ(j.entries.size(), 1u);
  EXPECT_EQ(j.entries[0].idx, 2147483647);
  EXPECT_EQ(j.entries[0].when, 9223372036854775807);
  EXPECT_EQ(journal_from_json(journal_with("-1", "-5"), "j").entries[0].when, -5);
}

}  // namespace
}  // namespace ds::db::migrate
