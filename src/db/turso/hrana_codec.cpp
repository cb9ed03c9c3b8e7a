#include "db/turso/hrana_codec.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "core/error.hpp"
#include "core/json_string.hpp"

namespace ds::db::hrana {
namespace {

using nlohmann::json;

void append_stmt(std::string& out, std::string_view sql, std::span<const Value> args) {
  out += R"({"sql":)";
  append_json_string(out, sql);
  out += R"(,"args":[)";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i != 0) out.push_back(',');
    out += encode_value(args[i]);
  }
  out += R"(],"want_rows":true})";
}

[[noreturn]] void malformed(std::string_view what) {
  throw Error(Errc::unavailable, fmt::format("malformed pipeline response: {}", what));
}

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

json* member(json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// A string member, or nullopt when missing or null.
std::optional<std::string> optional_string(const json& obj, const char* key) {
  const json* v = member(obj, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) malformed(fmt::format("'{}' is not a string", key));
  return v->get<std::string>();
}

std::int64_t parse_int64(const json& v, const char* what) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      malformed(fmt::format("{} is out of the int64 range", what));
    }
    return v.get<std::int64_t>();
  }
  if (!v.is_string()) malformed(fmt::format("{} is neither a decimal string nor an integer", what));
  const auto& s = v.get_ref<const std::string&>();
  std::int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) {
    malformed(fmt::format("{} is not an int64 decimal string", what));
  }
  return out;
}

// Decoding takes the document apart as it goes (strings are moved out, decoded rows
// released), so a large answer is not held twice: once as JSON, once as rows.
Value decode_value(json& v) {
  const json* type = member(v, "type");
  if (type == nullptr || !type->is_string()) malformed("a value has no type");
  const auto& t = type->get_ref<const std::string&>();
  if (t == "null") return nullptr;
  json* value = member(v, "value");
  if (t == "integer") {
    if (value == nullptr) malformed("an integer value has no value");
    return parse_int64(*value, "an integer value");
  }
  if (t == "float") {
    // A null float is how servers write NaN (JSON has no NaN).
    if (value == nullptr || value->is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!value->is_number()) malformed("a float value is not a number");
    return value->get<double>();
  }
  if (t == "text") {
    if (value == nullptr || !value->is_string()) malformed("a text value is not a string");
    return std::move(value->get_ref<std::string&>());
  }
  if (t == "blob") {
    const json* b64 = member(v, "base64");
    if (b64 == nullptr || !b64->is_string()) malformed("a blob value has no base64 text");
    auto blob = base64_decode(b64->get_ref<const std::string&>());
    if (!blob) malformed("a blob value is not valid base64");
    return std::move(*blob);
  }
  malformed(fmt::format("unknown value type '{}'", t.substr(0, 32)));
}

StreamError decode_error(const json& e) {
  StreamError out;
  if (auto m = optional_string(e, "message")) out.message = std::move(*m);
  if (auto c = optional_string(e, "code")) out.code = std::move(*c);
  return out;
}

Result decode_stmt_result(json& r) {
  if (!r.is_object()) malformed("a statement result is not an object");
  Result out;
  if (const json* cols = member(r, "cols")) {
    if (!cols->is_array()) malformed("'cols' is not an array");
    out.columns.reserve(cols->size());
    for (const auto& c : *cols) {
      auto name = optional_string(c, "name");
      out.columns.push_back(name ? std::move(*name) : std::string());
    }
  }
  if (json* rows = member(r, "rows")) {
    if (!rows->is_array()) malformed("'rows' is not an array");
    out.cells.reserve(rows->size() * out.columns.size());
    for (auto& row : *rows) {
      if (!row.is_array() || row.size() != out.columns.size()) {
        malformed("a row does not have one value per column");
      }
      for (auto& cell : row) out.cells.push_back(decode_value(cell));
      row = nullptr;  // its JSON is no longer needed
    }
  }
  if (const json* n = member(r, "affected_row_count"); n != nullptr && !n->is_null()) {
    out.rows_affected = parse_int64(*n, "affected_row_count");
  }
  if (const json* id = member(r, "last_insert_rowid"); id != nullptr && !id->is_null()) {
    out.last_insert_rowid = parse_int64(*id, "last_insert_rowid");
  }
  return out;
}

BatchOutcome decode_batch_result(json& r) {
  BatchOutcome out;
  json* results = member(r, "step_results");
  const json* errors = member(r, "step_errors");
  if (results == nullptr || !results->is_array()) malformed("'step_results' is not an array");
  out.step_results.reserve(results->size());
  for (auto& s : *results) {
    if (s.is_null())
      out.step_results.emplace_back();
    else
      out.step_results.emplace_back(decode_stmt_result(s));
    s = nullptr;
  }
  out.step_errors.resize(out.step_results.size());
  if (errors != nullptr && errors->is_array()) {
    for (std::size_t i = 0; i < errors->size() && i < out.step_errors.size(); ++i) {
      if (!(*errors)[i].is_null()) out.step_errors[i] = decode_error((*errors)[i]);
    }
  }
  return out;
}

RequestOutcome decode_outcome(json& r) {
  RequestOutcome out;
  const auto type = optional_string(r, "type");
  if (type == "error") {
    const json* e = member(r, "error");
    out.error = e != nullptr ? decode_error(*e) : StreamError{};
    return out;
  }
  if (type != "ok") malformed("a result is neither ok nor error");
  json* response = member(r, "response");
  if (response == nullptr) malformed("an ok result has no response");
  const auto rtype = optional_string(*response, "type");
  if (rtype == "execute" || rtype == "batch") {
    json* result = member(*response, "result");
    if (result == nullptr) malformed("a response has no result");
    if (rtype == "execute") {
      out.kind = RequestOutcome::Kind::execute;
      out.result = decode_stmt_result(*result);
    } else {
      out.kind = RequestOutcome::Kind::batch;
      out.batch = decode_batch_result(*result);
    }
  }
  return out;
}

PipelineResponse decode_document(json& doc) {
  if (doc.is_discarded()) malformed("not JSON");
  if (!doc.is_object()) malformed("not a JSON object");
  PipelineResponse out;
  out.baton = optional_string(doc, "baton");
  out.base_url = optional_string(doc, "base_url");
  json* results = member(doc, "results");
  if (results == nullptr || !results->is_array()) malformed("'results' is not an array");
  out.results.reserve(results->size());
  for (auto& r : *results) {
    out.results.push_back(decode_outcome(r));
    r = nullptr;
  }
  return out;
}

}  // namespace

std::string encode_value(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return R"({"type":"null"})";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return fmt::format(R"({{"type":"integer","value":"{}"}})", v);
        } else if constexpr (std::is_same_v<T, double>) {
          if (!std::isfinite(v)) {
            throw Error(Errc::misuse,
                        "a float parameter is NaN or infinite; the protocol cannot carry it");
          }
          // Shortest text that reads back to the same double; keep it a float literal.
          std::string num = fmt::format("{}", v);
          if (num.find_first_of(".e") == std::string::npos) num += ".0";
          return fmt::format(R"({{"type":"float","value":{}}})", num);
        } else if constexpr (std::is_same_v<T, std::string>) {
          std::string out = R"({"type":"text","value":)";
          append_json_string(out, v);
          out.push_back('}');
          return out;
        } else {
          std::string out = R"({"type":"blob","base64":")";
          append_base64(out, v);
          out += R"("})";
          return out;
        }
      },
      value);
}

PipelineWriter::PipelineWriter(const std::optional<std::string>& baton) {
  out_ = R"({"baton":)";
  if (baton)
    append_json_string(out_, *baton);
  else
    out_ += "null";
  out_ += R"(,"requests":[)";
}

void PipelineWriter::begin_request() {
  if (requests_++ != 0) out_.push_back(',');
}

void PipelineWriter::execute(std::string_view sql, std::span<const Value> args) {
  begin_request();
  out_ += R"({"type":"execute","stmt":)";
  append_stmt(out_, sql, args);
  out_.push_back('}');
}

std::vector<Step> steps_of(std::span<const Statement> statements) {
  std::vector<Step> steps;
  steps.reserve(statements.size());
  for (const auto& s : statements) steps.push_back({s.sql, s.params});
  return steps;
}

void PipelineWriter::atomic_batch(std::span<const Step> statements, std::string_view begin_sql,
                                  std::string_view commit_sql,
                                  std::span<const std::string_view> undo_sqls,
                                  const Verification* verify) {
  begin_request();
  out_ += R"({"type":"batch","batch":{"steps":[{"stmt":)";
  append_stmt(out_, begin_sql, {});
  out_.push_back('}');
  const auto step = [&](std::string_view sql, std::span<const Value> params,
                        std::string_view condition) {
    out_ += R"(,{"stmt":)";
    append_stmt(out_, sql, params);
    out_ += R"(,"condition":)";
    out_ += condition;
    out_.push_back('}');
  };
  std::size_t last = 0;  // index of the step just written
  for (const auto& s : statements) {
    step(s.sql, s.params, fmt::format(R"({{"type":"ok","step":{}}})", last));
    ++last;
  }
  std::string commit_condition = fmt::format(R"({{"type":"ok","step":{}}})", last);
  if (verify != nullptr) {
    const std::size_t probe = last + 1;
    const std::size_t check = last + 2;
    step(verify->probe_sql, {}, commit_condition);
    step(verify->check_sql, {}, fmt::format(R"({{"type":"ok","step":{}}})", probe));
    commit_condition = fmt::format(
        R"({{"type":"and","conds":[{},{{"type":"or","conds":[{{"type":"ok","step":{}}},)"
        R"({{"type":"not","cond":{{"type":"ok","step":{}}}}}]}}]}})",
        commit_condition, check, probe);
    last = check;
  }
  step(commit_sql, {}, commit_condition);
  const std::size_t commit_step = last + 1;
  // Always `not(ok commit)`, never `error commit`: servers disagree on skipped steps.
  const std::string undo_condition =
      fmt::format(R"({{"type":"not","cond":{{"type":"ok","step":{}}}}})", commit_step);
  for (const auto undo : undo_sqls) step(undo, {}, undo_condition);
  out_ += "]}}";
}

void PipelineWriter::with_undo(std::string_view sql, std::span<const std::string_view> undo_sqls) {
  begin_request();
  out_ += R"({"type":"batch","batch":{"steps":[{"stmt":)";
  append_stmt(out_, sql, {});
  out_.push_back('}');
  for (const auto undo : undo_sqls) {
    out_ += R"(,{"stmt":)";
    append_stmt(out_, undo, {});
    out_ += R"(,"condition":{"type":"not","cond":{"type":"ok","step":0}}})";
  }
  out_ += "]}}";
}

void PipelineWriter::close() {
  begin_request();
  out_ += R"({"type":"close"})";
}

std::string PipelineWriter::finish() {
  out_ += "]}";
  return std::move(out_);
}

std::string cursor_body(const std::optional<std::string>& baton, std::span<const Step> steps) {
  std::string out = R"({"baton":)";
  if (baton)
    append_json_string(out, *baton);
  else
    out += "null";
  out += R"(,"batch":{"steps":[)";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (i != 0) out.push_back(',');
    out += R"({"stmt":)";
    append_stmt(out, steps[i].sql, steps[i].params);
    out.push_back('}');
  }
  out += "]}}";
  return out;
}

void decode_cursor_line(std::string_view line, bool header, CursorEntry& out) {
  json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) malformed("a cursor line is not JSON");
  if (!doc.is_object()) malformed("a cursor line is not a JSON object");
  if (header) {
    out.kind = CursorEntry::Kind::header;
    out.baton = optional_string(doc, "baton");
    out.base_url = optional_string(doc, "base_url");
    return;
  }
  const auto type = optional_string(doc, "type");
  const auto step_of = [&] {
    const json* s = member(doc, "step");
    if (s == nullptr) malformed("a cursor entry has no step");
    const std::int64_t n = parse_int64(*s, "a cursor step");
    if (n < 0) malformed("a cursor step is negative");
    return static_cast<std::size_t>(n);
  };
  const auto error_of = [&] {
    const json* e = member(doc, "error");
    return e != nullptr ? decode_error(*e) : StreamError{};
  };
  if (type == "row") {
    json* row = member(doc, "row");
    if (row == nullptr || !row->is_array()) malformed("a cursor row is not an array");
    out.kind = CursorEntry::Kind::row;
    out.row.clear();
    for (auto& cell : *row) out.row.push_back(decode_value(cell));
  } else if (type == "step_begin") {
    const json* cols = member(doc, "cols");
    if (cols == nullptr || !cols->is_array()) malformed("'cols' is not an array");
    out.kind = CursorEntry::Kind::step_begin;
    out.step = step_of();
    out.columns = cols->size();
  } else if (type == "step_end") {
    out.kind = CursorEntry::Kind::step_end;
  } else if (type == "step_error") {
    out.kind = CursorEntry::Kind::step_error;
    out.step = step_of();
    out.error = error_of();
  } else if (type == "error") {
    out.kind = CursorEntry::Kind::error;
    out.error = error_of();
  } else {
    out.kind = CursorEntry::Kind::other;
  }
}

PipelineResponse decode_pipeline_response(std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  return decode_document(doc);
}

PipelineResponse consume_pipeline_response(std::string&& body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string().swap(body);  // the text is parsed: free it before the rows are built
  return decode_document(doc);
}

}  // namespace ds::db::hrana
