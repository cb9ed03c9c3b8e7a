// The typed query API on a real SQLite file: every query kind, typed results, binding.
#include <gtest/gtest.h>

#include "db/query.hpp"
#include "db/schema.sqlite.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "support/migrated_tables.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace ds::db::core;
using ds::db::query::Db;
using ds::db::query::Tx;
using namespace std::chrono_literals;

class QueryApi : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = ds::db::open_sqlite(dir_ / "q.db", ds::db::OpenMode::create_if_missing);
    ds::test::apply_core_migrations(*conn_);
  }
  Db db() { return Db(*conn_); }

  ds::test::TempDir dir_;
  std::shared_ptr<ds::db::Connection> conn_;
};

const std::chrono::sys_seconds kT0{std::chrono::seconds(1'700'000'000)};

TEST_F(QueryApi, InsertAndSelectTypedRow) {
  db().insert(auth_user).values({.id = "u1", .username = "ann", .email = "ann@x", .created_at = kT0}).run();
  const auto inserted = db()
                            .insert(projects)
                            .values({.id = "p1", .name = "One", .user_id = "u1", .created_at = kT0, .updated_at = kT0 + 5s})
                            .returning()
                            .first();
  ASSERT_TRUE(inserted);
  const auto row = db().select(projects).where(projects.id == "p1").first();
  ASSERT_TRUE(row);
  static_assert(std::is_same_v<decltype(row->description), std::optional<std::string>>);
  static_assert(std::is_same_v<decltype(row->created_at), ds::TimePoint>);
  EXPECT_EQ(row->name, "One");
  EXPECT_FALSE(row->description);
  EXPECT_EQ(row->user_id, "u1");
  EXPECT_EQ(row->created_at, kT0);
  EXPECT_EQ(row->updated_at, kT0 + 5s);
  EXPECT_FALSE(db().select(projects).where(projects.id == "nope").first());
}

TEST_F(QueryApi, AppSideAndSqlDefaults) {
  const auto before = ds::now_seconds();
  auto p = db().insert(projects).values({.id = "p", .name = "n"}).returning().first();
  EXPECT_GE(p->created_at, before);
  db().insert(global_settings).values({.key = "k", .value = "v"}).run();
  auto s = db().select(global_settings).first();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, "string");  // SQL default
  static_assert(std::is_same_v<decltype(s->is_encrypted), bool>);
  EXPECT_FALSE(s->is_encrypted);
  EXPECT_FALSE(s->name);
}

TEST_F(QueryApi, WhereOperatorsOrderLimitOffset) {
  for (int i = 0; i < 10; ++i) {
    db().insert(projects)
        .values({.id = "p" + std::to_string(i), .name = i % 2 ? "odd" : "even",
                 .description = i < 3 ? std::optional<std::string>() : "d" + std::to_string(i),
                 .created_at = kT0 + std::chrono::seconds(i), .updated_at = kT0})
        .run();
  }
  auto ids = [](const auto& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(ids(db().select(projects).order_by(desc(projects.created_at)).limit(3).all()),
            (std::vector<std::string>{"p9", "p8", "p7"}));
  EXPECT_EQ(ids(db().select(projects).order_by(projects.id).limit(2).offset(4).all()),
            (std::vector<std::string>{"p4", "p5"}));
  EXPECT_EQ(ids(db().select(projects).order_by(projects.id).offset(8).all()), (std::vector<std::string>{"p8", "p9"}));
  EXPECT_EQ(db().select(projects).where(is_null(projects.description)).all().size(), 3u);
  EXPECT_EQ(db().select(projects).where(is_not_null(projects.description)).all().size(), 7u);
  EXPECT_EQ(db().select(projects).where(projects.name != "odd").all().size(), 5u);
  EXPECT_EQ(db().select(projects).where(projects.created_at < kT0 + 2s).all().size(), 2u);
  EXPECT_EQ(db().select(projects).where(projects.created_at <= kT0 + 2s).all().size(), 3u);
  EXPECT_EQ(db().select(projects).where(projects.created_at > kT0 + 8s).all().size(), 1u);
  EXPECT_EQ(db().select(projects).where(ge(projects.created_at, kT0 + 8s)).all().size(), 2u);
  EXPECT_EQ(ids(db().select(projects).where(in_(projects.id, {"p1", "p3", "zz"})).order_by(projects.id).all()),
            (std::vector<std::string>{"p1", "p3"}));
  EXPECT_EQ(db().select(projects).where(in_(projects.id, std::vector<std::string>{})).all().size(), 0u);
  EXPECT_EQ(db().select(projects).where(like(projects.description, "d%")).all().size(), 7u);
  EXPECT_EQ(db().select(projects).where(and_(projects.name == "odd", not_(projects.id == "p1"))).all().size(), 4u);
  EXPECT_EQ(db().select(projects).where(projects.id == "p1" || projects.id == "p2").all().size(), 2u);
}

TEST_F(QueryApi, ChosenColumnsAndJoins) {
  db().insert(auth_user).values({.id = "u1", .username = "ann", .email = "ann@x"}).run();
  db().insert(projects).values({.id = "a", .name = "A", .user_id = "u1", .created_at = kT0}).run();
  db().insert(projects).values({.id = "b", .name = "B", .created_at = kT0 + 1s}).run();

  const auto names = db().select(projects.name).from(projects).order_by(projects.name).all();
  EXPECT_EQ(names, (std::vector<std::string>{"A", "B"}));

  const auto left = db().select(projects.name, auth_user.email)
                        .from(projects)
                        .left_join(auth_user, projects.user_id == auth_user.id)
                        .order_by(projects.name)
                        .all();
  static_assert(std::is_same_v<std::decay_t<decltype(left[0])>, std::tuple<std::string, std::optional<std::string>>>);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(std::get<1>(left[0]), "ann@x");
  EXPECT_FALSE(std::get<1>(left[1]));

  const auto inner = db().select(projects, auth_user).from(projects).inner_join(auth_user, projects.user_id == auth_user.id).all();
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(std::get<1>(inner[0]).username, "ann");

  const auto with_user = db().select(projects, auth_user).from(projects).left_join(auth_user, projects.user_id == auth_user.id)
                             .where(projects.id == "b").all();
  ASSERT_EQ(with_user.size(), 1u);
  EXPECT_FALSE(std::get<1>(with_user[0]).has_value());
}

TEST_F(QueryApi, UpdateAndDelete) {
  db().insert(projects).values({.id = "p", .name = "n", .description = "d"}).run();
  EXPECT_EQ(db().update(projects).set({.name = "m", .description = std::nullopt}).where(projects.id == "p").run(), 1);
  auto row = db().select(projects).where(projects.id == "p").first();
  EXPECT_EQ(row->name, "m");
  EXPECT_FALSE(row->description);
  auto updated = db().update(projects).set({.description = "again"}).where(projects.id == "p").returning().first();
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->description, "again");
  EXPECT_FALSE(db().update(projects).set({.name = "x"}).where(projects.id == "missing").returning().first());
  EXPECT_EQ(db().delete_from(projects).where(projects.id == "missing").run(), 0);
  EXPECT_EQ(db().delete_from(projects).where(projects.id == "p").run(), 1);
  EXPECT_TRUE(db().select(projects).all().empty());
}

// .statement() builds what run()/all() would send, without sending it, for one batch.
TEST_F(QueryApi, StatementsAreBuiltNotRunAndBatchTogether) {
  const std::vector<std::string> ids{"p1", "p2"};
  std::vector<ds::db::Statement> batch;
  batch.push_back(
      db().insert(auth_user).values({.id = "u1", .username = "ann", .email = "ann@x"}).statement());
  batch.push_back(db().insert(projects)
                      .values({.id = "p1", .name = "One", .user_id = "u1"})
                      .returning()
                      .statement());
  batch.push_back(db().insert(projects).values({.id = "p2", .name = "Two"}).statement());
  batch.push_back(db().update(projects)
                      .set({.name = "Uno"})
                      .where(projects.id == "p1")
                      .returning()
                      .statement());
  batch.push_back(
      db().update(projects).set({.description = "d"}).where(in_(projects.id, ids)).statement());
  batch.push_back(db().delete_from(projects).where(projects.id == "p2").returning().statement());
  batch.push_back(db().delete_from(auth_user).where(in_(auth_user.id, {"nobody"})).statement());
  batch.push_back(db().select(projects).order_by(projects.id).statement());
  EXPECT_TRUE(db().select(projects).all().empty()) << "building a statement runs nothing";
  EXPECT_EQ(batch[7].sql, db().select(projects).order_by(projects.id).to_sql());
  EXPECT_NE(batch[1].sql.find(" RETURNING "), std::string::npos);
  EXPECT_EQ(batch[2].sql.find(" RETURNING "), std::string::npos) << "each statement its own shape";
  EXPECT_EQ(batch[4].params.size(), 3u);

  const auto results = conn_->batch(batch);
  ASSERT_EQ(results.size(), batch.size());
  EXPECT_EQ(ds::db::query::decode_rows<Projects>(results[1]).at(0).name, "One");
  EXPECT_EQ(ds::db::query::decode_rows<Projects>(results[3]).at(0).name, "Uno");
  EXPECT_EQ(results[4].rows_affected, 2);
  EXPECT_EQ(ds::db::query::decode_rows<Projects>(results[5]).at(0).id, "p2");
  EXPECT_EQ(results[6].rows_affected, 0);
  const auto left = ds::db::query::decode_rows<Projects>(results[7]);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].name, "Uno");
  EXPECT_EQ(left[0].description, "d");

  const auto each = conn_->execute_each(std::vector{db().select(auth_user).statement()});
  ASSERT_TRUE(each.at(0).result);
  EXPECT_EQ(each[0].result->row_count(), 1u);
  std::vector<ds::db::dsl::InsertRow<Projects>> two;
  two.push_back({.id = "a", .name = "a"});
  two.push_back({.id = "b", .name = "b"});
  EXPECT_THROW(db().insert(projects).values(std::move(two)).statement(), ds::Error)
      << "one statement per row";
}

TEST_F(QueryApi, InsertManyConflictsAndConstraints) {
  std::vector<ds::db::dsl::InsertRow<GlobalSettings>> rows;
  rows.push_back({.key = "a", .value = "1"});
  rows.push_back({.key = "b", .value = "2", .type = "number"});
  EXPECT_EQ(db().insert(global_settings).values(std::move(rows)).run(), 2);
  EXPECT_EQ(db().insert(global_settings).values({.key = "a", .value = "x"}).on_conflict_do_nothing().run(), 0);
  db().insert(global_settings).values({.key = "a", .value = "x"}).on_conflict_do_update(global_settings.key, {.value = "y"}).run();
  EXPECT_EQ(db().select(global_settings.value).from(global_settings).where(global_settings.key == "a").first(), "y");
  EXPECT_EQ(db().select(global_settings.type).from(global_settings).where(global_settings.key == "b").first(), "number");
  // Upsert from the row that conflicted: only the named columns take its values.
  std::vector<ds::db::dsl::InsertRow<GlobalSettings>> upserts;
  upserts.push_back({.key = "a", .name = "new name", .value = "from a", .type = "text"});
  upserts.push_back({.key = "z", .value = "fresh"});
  auto upserted = db().insert(global_settings)
                      .values(std::move(upserts))
                      .on_conflict_do_update(global_settings.key, excluded(global_settings.value, global_settings.name))
                      .returning()
                      .all();
  ASSERT_EQ(upserted.size(), 2u);
  EXPECT_EQ(upserted[0].value, "from a");
  EXPECT_EQ(upserted[0].name, "new name");
  EXPECT_EQ(upserted[0].type, "string");  // not named: kept
  EXPECT_EQ(upserted[1].value, "fresh");
  EXPECT_EQ(db().insert(global_settings).values({.key = "z", .value = "again"})
                .on_conflict_do_update(global_settings.key, excluded(global_settings.value)).run(), 1);
  EXPECT_EQ(db().select(global_settings.value).from(global_settings).where(global_settings.key == "z").first(), "again");
  try {
    db().insert(projects).values({.id = "p", .name = "n", .user_id = "no-such-user"}).run();
    FAIL() << "foreign key not enforced";
  } catch (const ds::Error& e) {
    EXPECT_EQ(e.code(), ds::Errc::constraint);
  }
  // A failing row in a many-row insert rolls back the others.
  std::vector<ds::db::dsl::InsertRow<GlobalSettings>> more;
  more.push_back({.key = "c", .value = "3"});
  more.push_back({.key = "a", .value = "dup"});
  EXPECT_THROW(db().insert(global_settings).values(std::move(more)).run(), ds::Error);
  EXPECT_FALSE(db().select(global_settings).where(global_settings.key == "c").first());
}

TEST_F(QueryApi, ValuesAreBoundNeverSpliced) {
  const std::string evil = "x'); DROP TABLE projects; -- \"quoted\" ?1 %_";
  db().insert(projects).values({.id = evil, .name = evil, .description = evil}).run();
  const auto row = db().select(projects).where(projects.name == evil).first();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->id, evil);
  EXPECT_EQ(row->description, evil);
  const auto q = db().select(projects).where(projects.name == evil);
  EXPECT_EQ(q.to_sql().find("DROP"), std::string::npos);
  EXPECT_NE(q.to_sql().find("\"projects\".\"name\" = ?"), std::string::npos);
  // contains() matches % and _ literally.
  db().insert(projects).values({.id = "plain", .name = "abc"}).run();
  EXPECT_EQ(db().select(projects.id).from(projects).where(contains(projects.name, "%_")).all(), std::vector<std::string>{evil});
}

TEST_F(QueryApi, TransactionRollsBack) {
  EXPECT_THROW(db().transaction([](Tx& tx) {
    tx.insert(projects).values({.id = "t", .name = "n"}).run();
    throw std::runtime_error("abort");
  }),
               std::runtime_error);
  EXPECT_TRUE(db().select(projects).all().empty());
}

TEST_F(QueryApi, ASavepointRollsBackOnlyItself) {
  db().transaction([](Tx& tx) {
    tx.insert(projects).values({.id = "kept", .name = "n"}).run();
    EXPECT_THROW(tx.savepoint([](Tx& inner) {
      inner.insert(projects).values({.id = "undone", .name = "n"}).run();
      throw std::runtime_error("this part fails alone");
    }),
                 std::runtime_error);
    tx.savepoint([](Tx& inner) { inner.update(projects).set({.name = "m"}).all_rows().run(); });
  });
  const auto rows = db().select(projects).all();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, "kept");
  EXPECT_EQ(rows[0].name, "m");
}

TEST_F(QueryApi, SeveralRowsInsertAtomically) {
  using Rows = std::vector<ds::db::dsl::InsertRow<Projects>>;
  EXPECT_THROW(db().insert(projects)
                   .values(Rows{{.id = "a", .name = "n"}, {.id = "a", .name = "dup"}})
                   .run(),
               ds::Error);
  EXPECT_TRUE(db().select(projects).all().empty());
  EXPECT_EQ(
      db().insert(projects).values(Rows{{.id = "a", .name = "n"}, {.id = "b", .name = "n"}}).run(),
      2);
  EXPECT_EQ(db().delete_from(projects).all_rows().run(), 2);
  // Several rows are several statements: statement() refuses rather than drop rows.
  try {
    (void)db()
        .insert(projects)
        .values(Rows{{.id = "c", .name = "n"}, {.id = "d", .name = "n"}})
        .statement();
    ADD_FAILURE() << "statement() of two rows did not throw";
  } catch (const ds::Error& e) {
    EXPECT_EQ(e.code(), ds::Errc::misuse);
  }
  // RETURNING over several rows gives every inserted row, in order.
  const auto rows = db().insert(projects)
                        .values(Rows{{.id = "e", .name = "n"}, {.id = "f", .name = "n"}})
                        .returning()
                        .all();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, "e");
  EXPECT_EQ(rows[1].id, "f");
}

}  // namespace

namespace ds_borrowed_test {
using namespace ds::db::dsl;
// A table whose columns have no declared type in the file (no column affinity), so a number
// stays a number in a column the DSL calls text.
template <template <FixedString, class, class...> class Column>
struct LooseColumns {
  Column<"id", Integer, PrimaryKey> id{};
  Column<"label", Text> label{};
  Column<"data", Blob> data{};
};
struct Loose : Table<Loose, "loose", LooseColumns> {};
inline constexpr Loose loose{};
}  // namespace ds_borrowed_test

namespace {

TEST_F(QueryApi, ForEachHandsBorrowedRowsInOrder) {
  db().insert(projects).values({.id = "b", .name = "Second", .description = "two", .created_at = kT0 + 1s}).run();
  db().insert(projects).values({.id = "a", .name = "First", .created_at = kT0}).run();
  db().insert(projects).values({.id = "c", .name = "Third", .created_at = kT0 + 2s}).run();
  std::vector<std::string> seen;
  const auto count = db()
                         .select(projects)
                         .order_by(projects.created_at)
                         .limit(2)
                         .for_each([&](const ds::db::dsl::Borrowed<Projects>& p) {
                           static_assert(std::is_same_v<decltype(p.name), std::string_view>);
                           static_assert(std::is_same_v<decltype(p.description), std::optional<std::string_view>>);
                           static_assert(std::is_same_v<decltype(p.created_at), ds::TimePoint>);
                           seen.push_back(std::string(p.id) + ":" + std::string(p.name) + ":" +
                                          std::string(p.description.value_or("-")));
                         });
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(seen, (std::vector<std::string>{"a:First:-", "b:Second:two"}));
  EXPECT_EQ(db().select(projects).where(projects.id == "none").for_each([](const auto&) { FAIL(); }), 0u);
}

TEST_F(QueryApi, ForEachInATransactionMayRunTheSameQueryFromItsCallback) {
  for (const char* id : {"a", "b", "c"}) db().insert(projects).values({.id = id, .name = id}).run();
  std::vector<std::string> seen;
  std::size_t inner_rows = 0;
  db().transaction([&](Tx& tx) {
    // Same SQL text and parameters outside and inside, on the transaction's one handle: the
    // inner query must not reuse (rebind, reset) the statement the outer one is stepping.
    auto query = [&tx] { return tx.select(projects).where(projects.name != "none").order_by(projects.id); };
    query().for_each([&](const ds::db::dsl::Borrowed<Projects>& p) {
      const std::string before(p.id);
      inner_rows += query().for_each([](const auto&) {});
      seen.push_back(before + "=" + std::string(p.id));  // the outer row is still readable
    });
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a=a", "b=b", "c=c"}));
  EXPECT_EQ(inner_rows, 9u);
}

TEST_F(QueryApi, ForEachViewsNumbersAndBlobsItCannotBorrowAsText) {
  using ds_borrowed_test::loose;
  conn_->execute("CREATE TABLE loose (id INTEGER PRIMARY KEY, label, data)");
  conn_->execute("INSERT INTO loose VALUES (1, 42, x'00ff'), (2, 'text', 'ab'), (3, NULL, NULL)");
  std::vector<std::string> labels;
  std::vector<std::size_t> sizes;
  db().select(loose).order_by(loose.id).for_each([&](const ds::db::dsl::Borrowed<ds_borrowed_test::Loose>& r) {
    static_assert(std::is_same_v<decltype(r.data), std::optional<std::span<const std::uint8_t>>>);
    labels.emplace_back(r.label ? std::string(*r.label) : "null");
    sizes.push_back(r.data ? r.data->size() : 99);
  });
  EXPECT_EQ(labels, (std::vector<std::string>{"42", "text", "null"}));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 2, 99}));
}

}  // namespace
