#include "db/sql_keyword.hpp"

#include <cctype>

namespace ds::db::sql_keyword {
namespace {

bool is_word_char(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string_view word_at(std::string_view sql, std::size_t i) noexcept {
  std::size_t end = i;
  while (end < sql.size() && is_word_char(sql[end])) ++end;
  return sql.substr(i, end - i);
}

// The index just past the quoted text that starts at `i` ('...', "...", `...`, [...]); a
// doubled quote inside is two quoted runs back to back, which comes to the same.
std::size_t skip_quoted(std::string_view sql, std::size_t i) noexcept {
  const char close = sql[i] == '[' ? ']' : sql[i];
  const auto end = sql.find(close, i + 1);
  return end == std::string_view::npos ? sql.size() : end + 1;
}

bool is_statement_keyword(std::string_view word) noexcept {
  for (const std::string_view k : {"SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE"}) {
    if (equals(word, k)) return true;
  }
  return false;
}

}  // namespace

std::size_t skip_blank(std::string_view sql, std::size_t i) noexcept {
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i])) != 0) {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      const auto nl = sql.find('\n', i);
      i = nl == std::string_view::npos ? sql.size() : nl + 1;
    } else if (sql.substr(i, 2) == "/*") {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

std::string_view leading(std::string_view sql) noexcept {
  const std::size_t i = skip_blank(sql);
  if (i == sql.size() || std::isalpha(static_cast<unsigned char>(sql[i])) == 0) return {};
  return word_at(sql, i);
}

std::string_view statement(std::string_view sql) noexcept {
  const std::string_view first = leading(sql);
  if (!equals(first, "WITH")) return first;
  // Outside parentheses a WITH clause holds only RECURSIVE, table names (a reserved word
  // would have to be quoted), AS, NOT and MATERIALIZED: the first statement keyword there
  // begins the statement.
  int depth = 0;
  for (std::size_t i =
           skip_blank(sql, static_cast<std::size_t>(first.data() - sql.data()) + first.size());
       i < sql.size(); i = skip_blank(sql, i)) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      i = skip_quoted(sql, i);
    } else if (is_word_char(c)) {
      const std::string_view word = word_at(sql, i);
      if (depth == 0 && is_statement_keyword(word)) return word;
      i += word.size();
    } else {
      if (c == '(') ++depth;
      if (c == ')' && depth > 0) --depth;
      ++i;
    }
  }
  return {};
}

bool equals(std::string_view word, std::string_view keyword) noexcept {
  if (word.size() != keyword.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(word[i])) != keyword[i]) return false;
  }
  return true;
}

bool is_read(std::string_view sql) noexcept {
  const std::string_view k = statement(sql);
  return equals(k, "SELECT") || equals(k, "VALUES");
}

bool is_insert(std::string_view sql) noexcept {
  const std::string_view k = statement(sql);
  return equals(k, "INSERT") || equals(k, "REPLACE");
}

}  // namespace ds::db::sql_keyword
