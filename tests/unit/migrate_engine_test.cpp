// The migration engine without a database: hashes, snapshot JSON, SQL text, the diff, and
// the runner's file rules.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "db/migrate/diff.hpp"
#include "db/migrate/journal.hpp"
#include "db/migrate/runner.hpp"
#include "db/migrate/snapshot.hpp"
#include "db/migrate/sql_text.hpp"

namespace ds::db::migrate {
namespace {

using schema::Column;
using schema::Table;

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Written by drizzle-kit 0.31 (custom layout included): read whatever the key order, and
// written back byte for byte.
constexpr std::string_view kSnapshot = R"({
  "version": "6",
  "dialect": "sqlite",
  "id": "f20ccf98-4339-45dd-b874-b9e4af0fdf86",
  "prevId": "00000000-0000-0000-0000-000000000000",
  "tables": {
    "posts": {
      "name": "posts",
      "columns": {
        "id": {
          "name": "id",
          "type": "integer",
          "primaryKey": true,
          "notNull": true,
          "autoincrement": true
        },
        "n": {
          "name": "n",
          "type": "real",
          "primaryKey": false,
          "notNull": false,
          "autoincrement": false,
          "default": 1.5
        },
        "flag": {
          "name": "flag",
          "type": "integer",
          "primaryKey": false,
          "notNull": false,
          "autoincrement": false,
          "default": false
        },
        "user_id": {
          "name": "user_id",
          "type": "text",
          "primaryKey": false,
          "notNull": true,
          "autoincrement": false,
          "default": "'x'"
        }
      },
      "indexes": {
        "posts_n_idx": {
          "name": "posts_n_idx",
          "columns": [
            "n"
          ],
          "isUnique": true,
          "where": "n > 3"
        }
      },
      "foreignKeys": {
        "posts_user_id_users_id_fk": {
          "name": "posts_user_id_users_id_fk",
          "tableFrom": "posts",
          "tableTo": "users",
          "columnsFrom": [
            "user_id"
          ],
          "columnsTo": [
            "id"
          ],
          "onDelete": "cascade",
          "onUpdate": "no action"
        }
      },
      "compositePrimaryKeys": {},
      "uniqueConstraints": {},
      "checkConstraints": {}
    }
  },
  "views": {},
  "enums": {},
  "_meta": {
    "schemas": {},
    "tables": {},
    "columns": {
      "\"posts\".\"body\"": "\"posts\".\"n\""
    }
  },
  "internal": {
    "indexes": {}
  }
})";

TEST(Snapshot, RoundTripsDrizzleKitBytes) {
  const auto s = snapshot_from_json(kSnapshot, "test");
  ASSERT_EQ(s.schema.tables.size(), 1u);
  const auto& t = s.schema.tables[0];
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[1].default_value->kind, schema::ColumnDefault::Kind::number);
  EXPECT_EQ(t.columns[1].default_value->text, "1.5");
  EXPECT_EQ(t.columns[2].default_value->text, "false");
  EXPECT_EQ(t.foreign_keys[0].on_delete, "cascade");
  ASSERT_EQ(s.renames.columns.size(), 1u);
  EXPECT_EQ(s.renames.columns[0], (ColumnRename{"posts", "body", "n"}));
  EXPECT_EQ(to_json(s), kSnapshot);
}

TEST(Snapshot, ReaderIgnoresKeyOrder) {
  auto s = snapshot_from_json(kSnapshot, "test");
  const auto custom = to_json(s, /*custom_layout=*/true);
  EXPECT_TRUE(custom.starts_with("{\n  \"id\""));
  const auto again = snapshot_from_json(custom, "custom");
  EXPECT_EQ(again.schema, s.schema);
  EXPECT_EQ(again.id, s.id);
  EXPECT_THROW(snapshot_from_json("{\"dialect\":\"postgresql\"}", "x"), Error);
  EXPECT_THROW(snapshot_from_json("not json", "x"), Error);
}

TEST(Journal, RoundTrip) {
  const std::string text = R"({
  "version": "7",
  "dialect": "sqlite",
  "entries": [
    {
      "idx": 0,
      "version": "6",
      "when": 1795645495503,
      "tag": "0000_init",
      "breakpoints": true
    }
  ]
})";
  const auto j = journal_from_json(text, "j");
  ASSERT_EQ(j.entries.size(), 1u);
  EXPECT_EQ(j.entries[0].when, 1795645495503);
  EXPECT_EQ(to_json(j), text);
  EXPECT_EQ(to_json(Journal{}), "{\n  \"version\": \"7\",\n  \"dialect\": \"sqlite\",\n  \"entries\": []\n}");
}

Table users() {
  Table t{"users", {}, {}, {}, {}, {}, {}};
  t.columns.push_back({"id", "text", true, true, false, std::nullopt});
  t.columns.push_back({"name", "text", false, true, false, schema::ColumnDefault{schema::ColumnDefault::Kind::sql, "'x'"}});
  t.indexes.push_back({"users_name_idx", {"name"}, false, std::nullopt});
  return t;
}

TEST(SqlText, CreateTableLikeDrizzleKit) {
  EXPECT_EQ(sql::create_table(users()),
            "CREATE TABLE `users` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`name` text DEFAULT 'x' NOT NULL\n);\n");
  EXPECT_EQ(sql::join({"A;", "B;"}), "A;--> statement-breakpoint\nB;");
}

TEST(Diff, NoChangeIsEmpty) {
  schema::Schema s{{users()}};
  EXPECT_TRUE(diff_schemas(s, s, {}).statements.empty());
}

TEST(Diff, RebuildCopiesOnlyColumnsThatExistedBefore) {
  schema::Schema before{{users()}};
  schema::Schema after = before;
  after.tables[0].columns[1].not_null = false;  // needs a rebuild
  after.tables[0].columns.push_back({"email", "text", false, false, false, std::nullopt});  // added now
  const auto d = diff_schemas(before, after, {});
  ASSERT_EQ(d.statements.size(), 7u);
  EXPECT_EQ(d.statements[0], "PRAGMA foreign_keys=OFF;");
  EXPECT_EQ(d.statements[2], "INSERT INTO `__new_users`(\"id\", \"name\") SELECT \"id\", \"name\" FROM `users`;");
  EXPECT_EQ(d.statements[6], "CREATE INDEX `users_name_idx` ON `users` (`name`);");
}

TEST(Diff, RenameOnlyWhenAsked) {
  schema::Schema before{{users()}};
  schema::Schema after = before;
  after.tables[0].columns[1].name = "full_name";
  after.tables[0].indexes.clear();
  before.tables[0].indexes.clear();
  const auto guessed = diff_schemas(before, after, {});
  ASSERT_EQ(guessed.likely_renames.size(), 1u);
  EXPECT_NE(guessed.likely_renames[0].find("--rename users.name=users.full_name"), std::string::npos);
  EXPECT_EQ(guessed.statements, (std::vector<std::string>{"ALTER TABLE `users` ADD `full_name` text DEFAULT 'x' NOT NULL;",
                                                          "ALTER TABLE `users` DROP COLUMN `name`;"}));
  Renames r;
  r.columns.push_back({"users", "name", "full_name"});
  const auto renamed = diff_schemas(before, after, r);
  EXPECT_TRUE(renamed.likely_renames.empty());
  EXPECT_EQ(renamed.statements, (std::vector<std::string>{"ALTER TABLE `users` RENAME COLUMN \"name\" TO \"full_name\";"}));
  r.columns[0].from = "nope";
  EXPECT_THROW(diff_schemas(before, after, r), Error);
}

Migration file(std::string sql) {
  Migration m;
  m.entry.tag = "0003_x";
  m.entry.when = 30;
  m.file = "/m/0003_x.sql";
  m.sql = std::move(sql);
  m.hash = sha256_hex(m.sql);
  return m;
}

TEST(Runner, SplitsSkipsBlankChunksAndRejectsTwoStatements) {
  EXPECT_EQ(split_statements(file("CREATE TABLE a(x);--> statement-breakpoint\n  \n--> statement-breakpoint\nDROP TABLE b;")),
            (std::vector<std::string>{"CREATE TABLE a(x);", "DROP TABLE b;"}));
  EXPECT_EQ(split_statements(file("-- Custom SQL migration file, put your code below! --")).size(), 0u);
  EXPECT_EQ(split_statements(file("INSERT INTO t VALUES('a;b'); -- done")).size(), 1u);
  EXPECT_EQ(split_statements(file("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2; END;")).size(), 1u);
  try {
    split_statements(file("SELECT 1;--> statement-breakpoint\nSELECT 2; SELECT 3;"));
    FAIL() << "two statements in one chunk must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/m/0003_x.sql: chunk 2"), std::string::npos) << e.what();
  }
}

TEST(Runner, DriftAndOutOfOrderNameTheFile) {
  std::vector<Migration> ms{file("A;"), file("B;")};
  ms[0].entry.when = 10;
  ms[0].file = "/m/0000_a.sql";
  ms[1].entry.when = 20;
  ms[1].file = "/m/0001_b.sql";
  EXPECT_EQ(pending_migrations(ms, {}).size(), 2u);
  EXPECT_EQ(pending_migrations(ms, {{ms[0].hash, 10}}).size(), 1u);
  EXPECT_TRUE(pending_migrations(ms, {{ms[0].hash, 10}, {ms[1].hash, 20}}).empty());
  try {
    pending_migrations(ms, {{"0000", 10}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/m/0000_a.sql was changed"), std::string::npos) << e.what();
  }
  try {
    pending_migrations(ms, {{ms[1].hash, 20}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/m/0000_a.sql was never applied"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ds::db::migrate
