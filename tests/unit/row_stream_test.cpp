// Connection::stream(), the read path of the typed query API: the SQLite driver's own
// (rows read in place from the statement) and the default one every other driver gets
// (execute() + Result), which must give the same rows, values and errors.
#include <gtest/gtest.h>

#include <limits>

#include "db/query.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace ds::db::dsl;
using ds::db::Connection;
using ds::db::RowView;
using ds::db::Value;
using ds::db::ValueView;
using namespace std::chrono_literals;

constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
constexpr auto kMax = std::numeric_limits<std::int64_t>::max();

// A transaction delegating everything but stream(), which is the default implementation.
class DefaultStreamTransaction final : public ds::db::Transaction {
 public:
  explicit DefaultStreamTransaction(ds::db::Transaction& inner) : inner_(inner) {}
  ds::db::Result execute(std::string_view sql, std::span<const Value> params) override {
    return inner_.execute(sql, params);
  }
  std::vector<ds::db::Result> batch(std::span<const ds::db::Statement> statements) override {
    return inner_.batch(statements);
  }
  void savepoint(const std::function<void(ds::db::Transaction&)>& body) override {
    inner_.savepoint([&](ds::db::Transaction& tx) {
      DefaultStreamTransaction wrapped(tx);
      body(wrapped);
    });
  }
  std::string_view dialect() const noexcept override { return inner_.dialect(); }

 private:
  ds::db::Transaction& inner_;
};

// Delegates everything but stream() to a real driver: stream() is the default implementation.
class DefaultStream final : public Connection {
 public:
  explicit DefaultStream(Connection& inner) : inner_(inner) {}
  ds::db::Result execute(std::string_view sql, std::span<const Value> params) override {
    return inner_.execute(sql, params);
  }
  std::vector<ds::db::Result> batch(std::span<const ds::db::Statement> statements) override {
    return inner_.batch(statements);
  }
  void transaction(const std::function<void(ds::db::Transaction&)>& body) override {
    inner_.transaction([&](ds::db::Transaction& tx) {
      DefaultStreamTransaction wrapped(tx);
      body(wrapped);
    });
  }
  std::vector<ds::db::Result> migration_batch(std::span<const ds::db::Statement> statements) override {
    return inner_.migration_batch(statements);
  }
  std::string_view dialect() const noexcept override { return inner_.dialect(); }

 private:
  Connection& inner_;
};

// Every kind of column the typed API decodes, nullable and not.
template <template <FixedString, class, class...> class Column>
struct SampleColumns {
  Column<"id", Integer, PrimaryKey> id{};
  Column<"label", Text, NotNull> label{};
  Column<"note", Text> note{};
  Column<"flag", Boolean, NotNull> flag{};
  Column<"maybe_flag", Boolean> maybe_flag{};
  Column<"at", Timestamp, NotNull> at{};
  Column<"at_ms", TimestampMs> at_ms{};
  Column<"big", Integer> big{};
  Column<"ratio", Real> ratio{};
  Column<"data", Blob> data{};
};
struct Sample : Table<Sample, "sample", SampleColumns> {};
inline constexpr Sample sample{};

// A copy of a borrowed cell, to compare after the sink has returned.
Value own(const ValueView& v) {
  return std::visit(
      [](const auto& x) -> Value {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string_view>) return std::string(x);
        else if constexpr (std::is_same_v<T, std::span<const std::uint8_t>>) return ds::db::Blob(x.begin(), x.end());
        else return x;
      },
      v);
}

class RowStream : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    sqlite_ = ds::db::open_sqlite(dir_ / "rows.db", ds::db::OpenMode::create_if_missing);
    default_ = std::make_unique<DefaultStream>(*sqlite_);
    conn().execute(
        "CREATE TABLE sample (id integer PRIMARY KEY, label text NOT NULL, note text, flag integer NOT NULL, "
        "maybe_flag integer, at integer NOT NULL, at_ms integer, big integer, ratio real, data blob)");
  }
  // The parameter: true is the SQLite driver's own stream(), false the default one.
  Connection& conn() { return GetParam() ? *sqlite_ : static_cast<Connection&>(*default_); }
  ds::db::query::Db db() { return ds::db::query::Db(conn()); }

  std::vector<std::vector<Value>> stream_all(std::string_view sql, std::span<const Value> params = {}) {
    std::vector<std::vector<Value>> rows;
    auto sink = ds::db::row_sink([&](const RowView& r) {
      auto& row = rows.emplace_back();
      for (std::size_t i = 0; i < r.size(); ++i) row.push_back(own(r[i]));
    });
    conn().stream(sql, params, sink);
    return rows;
  }

  ds::test::TempDir dir_;
  std::shared_ptr<Connection> sqlite_;
  std::unique_ptr<DefaultStream> default_;
};

TEST_P(RowStream, EveryStorageClassAsStored) {
  const std::string with_nul("a\0b\0", 4);
  const ds::db::Blob bytes{0, 1, 0, 255};
  const std::vector<Value> params{nullptr, kMin, kMax, 2.5, with_nul, std::string(), bytes, ds::db::Blob{}};
  const auto rows = stream_all("SELECT ?, ?, ?, ?, ?, ?, ?, ?", params);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], params);
  // An empty blob stays a blob, an empty text stays text.
  EXPECT_TRUE(std::holds_alternative<ds::db::Blob>(rows[0][7]));
  EXPECT_TRUE(std::holds_alternative<std::string>(rows[0][5]));
}

TEST_P(RowStream, EmptyResultCallsNoSinkAndWritesReturnTheirCount) {
  EXPECT_TRUE(stream_all("SELECT id FROM sample").empty());
  conn().execute("INSERT INTO sample (id, label, flag, at) VALUES (1, 'a', 0, 0), (2, 'b', 1, 0)");
  int calls = 0;
  auto count = ds::db::row_sink([&](const RowView&) { ++calls; });
  EXPECT_EQ(conn().stream("UPDATE sample SET note = 'n'", {}, count), 2);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(conn().stream("SELECT id FROM sample WHERE id > 5", {}, count), 0);
  EXPECT_EQ(calls, 0);
}

TEST_P(RowStream, ErrorWhileSteppingThrowsAndTheStatementIsReusable) {
  conn().execute("INSERT INTO sample (id, label, flag, at) VALUES (1, 'a', 0, 0), (2, 'b', 0, 0), (3, 'c', 0, 0)");
  // abs() of the smallest integer fails at run time, on the third row only.
  const std::string sql = "SELECT CASE WHEN id < ?1 THEN id ELSE abs(?2) END FROM sample ORDER BY id";
  std::vector<Value> seen;
  auto sink = ds::db::row_sink([&](const RowView& r) { seen.push_back(own(r[0])); });
  const std::vector<Value> failing{std::int64_t{3}, kMin};
  EXPECT_THROW(conn().stream(sql, failing, sink), ds::Error);
  // The SQLite driver had handed the first rows over before the error; the default path none.
  EXPECT_EQ(seen.size(), GetParam() ? 2u : 0u);
  const std::vector<Value> fine{std::int64_t{9}, kMin};
  EXPECT_EQ(stream_all(sql, fine).size(), 3u);
}

TEST_P(RowStream, ASinkThatThrowsStopsTheReadAndLeavesTheStatementReusable) {
  conn().execute("INSERT INTO sample (id, label, flag, at) VALUES (1, 'a', 0, 0), (2, 'b', 0, 0)");
  int calls = 0;
  auto failing = ds::db::row_sink([&](const RowView&) {
    ++calls;
    throw std::runtime_error("stop");
  });
  EXPECT_THROW(conn().stream("SELECT id FROM sample ORDER BY id", {}, failing), std::runtime_error);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(stream_all("SELECT id FROM sample ORDER BY id").size(), 2u);
  // The read transaction ended: a write on another connection of the pool is not blocked.
  conn().execute("INSERT INTO sample (id, label, flag, at) VALUES (3, 'c', 0, 0)");
}

TEST_P(RowStream, ASinkThatReturnsFalseStopsTheReadAndEndsTheReadTransaction) {
  conn().execute("INSERT INTO sample (id, label, flag, at) VALUES (1, 'a', 0, 0), (2, 'b', 0, 0)");
  int calls = 0;
  auto first_only = ds::db::row_sink([&](const RowView&) {
    ++calls;
    return false;
  });
  conn().stream("SELECT id FROM sample ORDER BY id", {}, first_only);
  EXPECT_EQ(calls, 1);
  // No reader holds a snapshot: a checkpoint can empty the whole WAL (busy = 0).
  const auto checkpoint = conn().execute("PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(checkpoint.row(0)[0], Value(std::int64_t{0}));
  const auto first = db().select(sample).order_by(sample.id).first();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, 1);
  EXPECT_EQ(conn().execute("PRAGMA wal_checkpoint(TRUNCATE)").row(0)[0], Value(std::int64_t{0}));
}

TEST_P(RowStream, TypedRowsDecodeEveryColumnKind) {
  const std::string with_nul("x\0y", 3);
  const std::chrono::sys_seconds at{1'700'000'000s};
  const ds::TimePoint at_ms{std::chrono::milliseconds(1'700'000'000'123)};
  const auto inserted = db().insert(sample)
                            .values({.id = 1, .label = with_nul, .note = std::nullopt, .flag = true,
                                     .maybe_flag = false, .at = at, .at_ms = at_ms, .big = kMin, .ratio = -0.5,
                                     .data = ds::db::Blob{0, 0, 7}})
                            .returning()
                            .first();
  ASSERT_TRUE(inserted);
  db().insert(sample).values({.id = kMax, .label = "", .note = "n", .flag = false, .at = at, .big = kMax}).run();

  const auto rows = db().select(sample).order_by(sample.id).all();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto* r : {&rows[0], &*inserted}) {
    EXPECT_EQ(r->id, 1);
    EXPECT_EQ(r->label, with_nul);
    EXPECT_EQ(r->label.size(), 3u);
    EXPECT_FALSE(r->note);
    EXPECT_TRUE(r->flag);
    EXPECT_EQ(r->maybe_flag, false);
    EXPECT_EQ(r->at, at);
    EXPECT_EQ(r->at_ms, at_ms);
    EXPECT_EQ(r->big, kMin);
    EXPECT_EQ(r->ratio, -0.5);
    EXPECT_EQ(r->data, (ds::db::Blob{0, 0, 7}));
  }
  const auto& last = rows[1];
  EXPECT_EQ(last.id, kMax);
  EXPECT_EQ(last.label, "");
  EXPECT_EQ(last.note, "n");
  EXPECT_FALSE(last.flag);
  EXPECT_FALSE(last.maybe_flag);
  EXPECT_FALSE(last.at_ms);
  EXPECT_EQ(last.big, kMax);
  EXPECT_FALSE(last.ratio);
  EXPECT_FALSE(last.data);

  // Chosen columns, first(), and the same rows through update/delete RETURNING.
  const auto pair = db().select(sample.big, sample.data).from(sample).where(sample.id == kMax).first();
  ASSERT_TRUE(pair);
  EXPECT_EQ(std::get<0>(*pair), kMax);
  EXPECT_FALSE(std::get<1>(*pair));
  const auto updated = db().update(sample).set({.note = "changed"}).where(sample.id == 1).returning().all();
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0].note, "changed");
  EXPECT_EQ(updated[0].label, with_nul);
  EXPECT_EQ(db().delete_from(sample).where(sample.id == kMax).returning().all().at(0).big, kMax);
  EXPECT_EQ(db().update(sample).set({.flag = false}).all_rows().run(), 1);
}

TEST_P(RowStream, TypedEmptyResults) {
  EXPECT_TRUE(db().select(sample).all().empty());
  EXPECT_FALSE(db().select(sample).where(sample.id == 1).first());
  EXPECT_TRUE(db().select(sample).limit(500).all().empty());
  EXPECT_EQ(db().update(sample).set({.note = "x"}).all_rows().run(), 0);
  EXPECT_TRUE(db().delete_from(sample).all_rows().returning().all().empty());
}

TEST_P(RowStream, ATypeMismatchInAStoredValueIsAClearError) {
  conn().execute("INSERT INTO sample (id, label, flag, at) VALUES (1, 'ok', 0, 'not a time')");
  try {
    (void)db().select(sample).all();
    FAIL() << "decoding text as a timestamp must throw";
  } catch (const ds::Error& e) {
    EXPECT_NE(std::string(e.what()).find("column at"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Drivers, RowStream, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "SqliteStream" : "DefaultStream"; });

}  // namespace
