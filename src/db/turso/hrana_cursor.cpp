#include "db/turso/hrana_cursor.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "db/turso/hrana_errors.hpp"

namespace ds::db::hrana {

CursorReader::CursorReader(RowSink& sink, std::size_t rows_step, std::size_t max_line,
                           std::string context)
    : sink_(sink),
      rows_step_(rows_step),
      max_line_(max_line),
      context_(std::move(context)),
      errors_before_(rows_step) {}

bool CursorReader::feed(std::string_view chunk) {
  while (!chunk.empty() && !stopped_) {
    const std::size_t end = chunk.find('\n');
    const std::size_t part = end == std::string_view::npos ? chunk.size() : end;
    if (pending_.size() + part > max_line_) {
      throw Error(Errc::unavailable,
                  fmt::format("{}: a line of its cursor answer is larger than the {} byte limit "
                              "(TURSO_MAX_RESPONSE_BYTES)",
                              context_, max_line_));
    }
    if (end == std::string_view::npos) {
      pending_.append(chunk);
      return true;
    }
    if (pending_.empty()) {
      line(chunk.substr(0, end));
    } else {
      pending_.append(chunk.substr(0, end));
      line(pending_);
      pending_.clear();
    }
    chunk.remove_prefix(end + 1);
  }
  return !stopped_;
}

void CursorReader::finish() {
  if (!stopped_ && !pending_.empty()) {  // the last line may come without its newline
    std::string last = std::move(pending_);
    pending_.clear();
    line(last);
  }
  if (stopped_ || done_) return;
  throw Error(Errc::unavailable,
              fmt::format("{}: its cursor answer ended before the read did ({} rows read); the "
                          "read failed",
                          context_, rows_));
}

const std::optional<StreamError>& CursorReader::error_before(std::size_t step) const {
  return errors_before_.at(step);
}

void CursorReader::line(std::string_view text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty() || done_) return;  // after the read step: nothing more is needed
  try {
    decode_cursor_line(text, !header_seen_, entry_);
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}: {}", context_, e.what()));
  }
  const auto bad = [&](std::string_view what) {
    return Error(Errc::unavailable, fmt::format("{}: malformed cursor answer: {}", context_, what));
  };
  using Kind = CursorEntry::Kind;
  switch (entry_.kind) {
    case Kind::header:
      header_seen_ = true;
      return;
    case Kind::step_begin:
      if (current_step_) throw bad("a step began before the previous one ended");
      current_step_ = entry_.step;
      columns_ = entry_.columns;
      return;
    case Kind::row:
      if (!current_step_) throw bad("a row outside a step");
      if (entry_.row.size() != columns_) throw bad("a row does not have one value per column");
      if (*current_step_ != rows_step_) return;
      ++rows_;
      if (!stream_row(entry_.row, sink_)) stopped_ = true;
      return;
    case Kind::step_end:
      if (!current_step_) throw bad("a step ended that had not begun");
      if (*current_step_ == rows_step_) done_ = true;
      current_step_.reset();
      return;
    case Kind::step_error:
      if (current_step_ && *current_step_ != entry_.step)
        throw bad("a step error for another step");
      current_step_.reset();
      if (entry_.step == rows_step_) throw stream_error(entry_.error, context_);
      if (entry_.step < rows_step_) errors_before_[entry_.step] = entry_.error;
      return;
    case Kind::error:
      throw stream_error(entry_.error, context_);
    case Kind::other:
      return;  // unknown entries are ignored, as unknown fields are
  }
}

}  // namespace ds::db::hrana
