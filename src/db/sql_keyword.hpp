#pragma once
// The kind of an SQL statement, told by its leading keyword: what the drivers decide by it (a
// read may be sent again; only an INSERT reports a rowid). Not a parser: white space and
// comments are skipped, keywords compared without regard to case, and a WITH clause is looked
// past to the statement it introduces.
#include <cstddef>
#include <string_view>

namespace ds::db::sql_keyword {

// The index of the first character at or after `from` that is neither white space nor inside a
// comment (`-- ...` to the end of the line, `/* ... */`); sql.size() when there is none.
std::size_t skip_blank(std::string_view sql, std::size_t from = 0) noexcept;

// The statement's first word (letters, digits, `_`), as written; empty when it starts with
// anything else or holds nothing but blanks.
std::string_view leading(std::string_view sql) noexcept;

// The keyword of the statement proper: leading(), except that after WITH it is the first word
// outside the common table expressions ("WITH t AS (SELECT 1) INSERT ..." gives "INSERT").
std::string_view statement(std::string_view sql) noexcept;

// `word` equals `keyword` (given in upper case) but for case.
bool equals(std::string_view word, std::string_view keyword) noexcept;

// SELECT or VALUES, after a WITH clause too: the statement only reads.
bool is_read(std::string_view sql) noexcept;

// INSERT or REPLACE, after a WITH clause too: the statement may set a last insert rowid.
bool is_insert(std::string_view sql) noexcept;

}  // namespace ds::db::sql_keyword
