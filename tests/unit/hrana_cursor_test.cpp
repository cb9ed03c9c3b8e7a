// The `/v3/cursor` answer reader with no network: lines split anywhere across chunks, rows
// handed on one at a time, and every way a cursor can fail (a step's error, the batch's
// error, no end, a malformed or oversized line) an error, never a partial success.
#include "db/turso/hrana_cursor.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "db/turso/hrana_codec.hpp"

using ds::Errc;
using ds::Error;
using ds::db::RowView;
using ds::db::hrana::CursorReader;

namespace {

const std::string kHeader = R"({"baton":"b1","base_url":null})"
                            "\n";
const std::string kPragma = R"({"type":"step_begin","step":0,"cols":[]})"
                            "\n"
                            R"({"type":"step_end","affected_row_count":0,"last_insert_rowid":null})"
                            "\n";
std::string begin_read() {
  return R"({"type":"step_begin","step":1,"cols":[{"name":"id"},{"name":"s"}]})"
         "\n";
}
std::string row(int id) {
  return R"({"type":"row","row":[{"type":"integer","value":")" + std::to_string(id) +
         R"("},{"type":"text","value":"v)" + std::to_string(id) +
         R"("}]})"
         "\n";
}
const std::string kEnd = R"({"type":"step_end","affected_row_count":0,"last_insert_rowid":null})"
                         "\n";

struct Collected {
  std::vector<std::pair<std::int64_t, std::string>> rows;
  int stop_after = -1;
};

// Feeds `body` in chunks of `chunk` bytes; returns false when the reader asked to stop.
bool feed(CursorReader& reader, const std::string& body, std::size_t chunk) {
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    if (!reader.feed(std::string_view(body).substr(at, chunk))) return false;
  }
  return true;
}

}  // namespace

TEST(HranaCursor, RowsArriveWholeWhereverTheChunksSplitThem) {
  std::string body = kHeader + kPragma + begin_read();
  for (int i = 1; i <= 50; ++i) body += row(i);
  body += kEnd;
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{100}, body.size()}) {
    std::vector<std::pair<std::int64_t, std::string>> rows;
    auto sink = ds::db::row_sink([&](const RowView& r) {
      rows.emplace_back(std::get<std::int64_t>(r[0]),
                        std::string(std::get<std::string_view>(r[1])));
    });
    CursorReader reader(sink, 1, 1 << 20, "Turso at h");
    EXPECT_TRUE(feed(reader, body, chunk));
    reader.finish();
    ASSERT_EQ(rows.size(), 50u) << chunk;
    for (int i = 1; i <= 50; ++i) {
      EXPECT_EQ(rows[i - 1].first, i);
      EXPECT_EQ(rows[i - 1].second, "v" + std::to_string(i));
    }
    EXPECT_FALSE(reader.error_before(0));
  }
}

TEST(HranaCursor, TheLastLineMayComeWithoutItsNewline) {
  std::string body = kHeader + kPragma + begin_read() + row(1) + kEnd;
  body.pop_back();
  int n = 0;
  auto sink = ds::db::row_sink([&](const RowView&) { ++n; });
  CursorReader reader(sink, 1, 1 << 20, "Turso at h");
  feed(reader, body, 3);
  reader.finish();
  EXPECT_EQ(n, 1);
}

TEST(HranaCursor, ASinkThatStopsStopsTheReader) {
  std::string body = kHeader + kPragma + begin_read();
  for (int i = 1; i <= 20; ++i) body += row(i);  // no end: the rest is never read
  int n = 0;
  auto sink = ds::db::row_sink([&](const RowView&) { return ++n < 3; });
  CursorReader reader(sink, 1, 1 << 20, "Turso at h");
  EXPECT_FALSE(feed(reader, body, 5));
  EXPECT_EQ(n, 3);
  reader.finish();  // stopped: not an error
}

TEST(HranaCursor, EveryFailureIsAnError) {
  const auto error_of = [](const std::string& body) -> Error {
    auto sink = ds::db::row_sink([](const RowView&) {});
    CursorReader reader(sink, 1, 1 << 10, "Turso at h");
    try {
      feed(reader, body, 4);
      reader.finish();
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "no error for: " << body;
    return Error(Errc::internal, "none");
  };
  const std::string started = kHeader + kPragma + begin_read() + row(1);
  // The read step's own error, mid-read: its classification, as in a pipeline.
  auto e = error_of(
      started +
      R"({"type":"step_error","step":1,"error":{"message":"UNIQUE constraint failed: t.x","code":"SQLITE_CONSTRAINT_UNIQUE"}})"
      "\n");
  EXPECT_EQ(e.code(), Errc::constraint) << e.what();
  EXPECT_NE(std::string(e.what()).find("Turso at h"), std::string::npos);
  // The batch's error.
  e = error_of(started +
               R"({"type":"error","error":{"message":"stream broke","code":"SQLITE_BUSY"}})"
               "\n");
  EXPECT_EQ(e.code(), Errc::busy) << e.what();
  EXPECT_NE(std::string(e.what()).find("stream broke"), std::string::npos) << e.what();
  // No end of the read step: cut short, even with whole lines.
  for (const std::string& body : {started, kHeader + kPragma, kHeader, std::string()}) {
    e = error_of(body);
    EXPECT_EQ(e.code(), Errc::unavailable) << e.what();
    EXPECT_NE(std::string(e.what()).find("ended before the read did"), std::string::npos);
  }
  // Malformed: not JSON, a row with the wrong width, a row outside a step, an oversized line.
  for (const std::string& bad :
       {started + "{not json\n",
        started + R"({"type":"row","row":[]})"
                  "\n",
        kHeader + kPragma + row(1), started + std::string(2000, ' ') + "x\n"}) {
    e = error_of(bad);
    EXPECT_EQ(e.code(), Errc::unavailable) << e.what();
    EXPECT_EQ(std::string(e.what()).find("not json"), std::string::npos) << "never quoted";
  }
}

TEST(HranaCursor, AnEarlierStepsErrorIsReportedAndTheReadStillCounts) {
  const std::string body =
      kHeader +
      R"({"type":"step_error","step":0,"error":{"message":"no pragma here","code":"X"}})"
      "\n" +
      begin_read() + row(1) +
      R"({"type":"future_entry"})"
      "\n" +
      kEnd;
  int n = 0;
  auto sink = ds::db::row_sink([&](const RowView&) { ++n; });
  CursorReader reader(sink, 1, 1 << 20, "Turso at h");
  feed(reader, body, 9);
  reader.finish();
  EXPECT_EQ(n, 1);
  ASSERT_TRUE(reader.error_before(0));
  EXPECT_EQ(reader.error_before(0)->message, "no pragma here");
}

TEST(HranaCursor, TheRequestBodyIsOneBatchOfUnconditionalSteps) {
  const ds::db::Value args[] = {std::int64_t{7}};
  const ds::db::hrana::Step steps[] = {{"PRAGMA foreign_keys=ON", {}}, {"SELECT ?", args}};
  EXPECT_EQ(
      ds::db::hrana::cursor_body(std::nullopt, steps),
      R"({"baton":null,"batch":{"steps":[{"stmt":{"sql":"PRAGMA foreign_keys=ON","args":[],"want_rows":true}},)"
      R"({"stmt":{"sql":"SELECT ?","args":[{"type":"integer","value":"7"}],"want_rows":true}}]}})");
  // A kept stream's baton, JSON-escaped.
  EXPECT_EQ(
      ds::db::hrana::cursor_body(std::string("b\"1"), std::span(steps).first(1)),
      R"({"baton":"b\"1","batch":{"steps":[{"stmt":{"sql":"PRAGMA foreign_keys=ON","args":[],"want_rows":true}}]}})");
}
