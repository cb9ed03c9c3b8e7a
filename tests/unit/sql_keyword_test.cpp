// The one SQL keyword sniffer both drivers and the migration runner use.
#include "db/sql_keyword.hpp"

#include <gtest/gtest.h>

namespace ds::db::sql_keyword {
namespace {

TEST(SqlKeyword, SkipsWhiteSpaceAndBothKindsOfComment) {
  EXPECT_EQ(leading("  \n\t SELECT 1"), "SELECT");
  EXPECT_EQ(leading("-- a comment\nSELECT 1"), "SELECT");
  EXPECT_EQ(leading("/* one */ /* two\n lines */INSERT INTO t VALUES (1)"), "INSERT");
  EXPECT_EQ(leading("-- one\n  /* two */ -- three\n\tdelete from t"), "delete");
  EXPECT_EQ(skip_blank("  -- x\n  /* y */ z"), 17u);
  EXPECT_EQ(skip_blank("ab  cd", 2), 4u);
}

TEST(SqlKeyword, NothingButBlanksHasNoKeyword) {
  for (const char* blank : {"", "   ", "-- only a comment", "/* unterminated", "-- a\n/* b */\n"}) {
    SCOPED_TRACE(blank);
    EXPECT_EQ(leading(blank), "");
    EXPECT_EQ(statement(blank), "");
    EXPECT_FALSE(is_read(blank));
    EXPECT_FALSE(is_insert(blank));
  }
  EXPECT_EQ(skip_blank("/* unterminated"), 15u);
  EXPECT_EQ(leading("(SELECT 1)"), "") << "a keyword starts with a letter";
  EXPECT_EQ(leading("1 SELECT"), "");
}

TEST(SqlKeyword, CaseDoesNotMatterAndWordsEndAtTheirBoundary) {
  EXPECT_TRUE(is_read("select 1"));
  EXPECT_TRUE(is_read("SeLeCt 1"));
  EXPECT_TRUE(is_read("VALUES (1)"));
  EXPECT_TRUE(is_read("select*from t"));
  EXPECT_TRUE(is_insert("insert into t values (1)"));
  EXPECT_TRUE(is_insert("Replace INTO t VALUES (1)"));
  EXPECT_FALSE(is_read("SELECTED"));
  EXPECT_FALSE(is_insert("INSERTS"));
  EXPECT_EQ(leading("BEGIN;"), "BEGIN");
  EXPECT_EQ(leading("commit_x"), "commit_x");
  EXPECT_TRUE(equals("Commit", "COMMIT"));
  EXPECT_FALSE(equals("COMMITS", "COMMIT"));
  EXPECT_FALSE(is_read("UPDATE t SET a = 1"));
  EXPECT_FALSE(is_read("PRAGMA foreign_keys=OFF"));
  EXPECT_FALSE(is_insert("CREATE TABLE t (a)"));
}

TEST(SqlKeyword, WithClauseGivesTheStatementItIntroduces) {
  EXPECT_EQ(statement("WITH t AS (SELECT 1) SELECT * FROM t"), "SELECT");
  EXPECT_TRUE(
      is_read("with recursive n(x) as (select 1 union all select x + 1 from n where x < 3) "
              "select x from n"));
  EXPECT_TRUE(
      is_insert("WITH a AS (SELECT 1), b AS MATERIALIZED (SELECT 2)\n"
                "INSERT INTO t SELECT * FROM a"));
  EXPECT_FALSE(is_read("WITH a AS NOT MATERIALIZED (SELECT 1) DELETE FROM t WHERE id IN a"));
  EXPECT_EQ(statement("WITH a AS (SELECT 1) UPDATE t SET x = 1"), "UPDATE");
  // Parentheses, quotes and comments inside the common table expressions are looked past.
  EXPECT_EQ(statement("WITH \"select\" AS (SELECT ')' AS p /* ) */ FROM (VALUES (1)))\n"
                      "-- SELECT\nINSERT INTO t SELECT * FROM \"select\""),
            "INSERT");
  EXPECT_EQ(statement("WITH [values] AS (SELECT 1) SELECT 2"), "SELECT");
  EXPECT_EQ(statement("WITH t AS (SELECT 1)"), "") << "no statement after the clause";
  EXPECT_EQ(leading("WITH t AS (SELECT 1) SELECT 1"), "WITH");
}

}  // namespace
}  // namespace ds::db::sql_keyword
