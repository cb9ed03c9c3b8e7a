#pragma once
// Reading a `POST /v3/cursor` answer (Hrana 3) as it arrives: the body comes in chunks of any
// size, each complete line is decoded at once and each row of the read step goes straight to
// the sink, so only the unfinished line is ever held, whatever the number of rows. What the
// cursor reports (a step's error, the batch's error, an answer cut short) becomes the error
// the pipeline path gives for the same thing; a partial answer is never a success.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "db/row.hpp"
#include "db/turso/hrana_codec.hpp"

namespace ds::db::hrana {

class CursorReader {
 public:
  // `rows_step`: the batch step whose rows go to `sink` (the steps before it only report
  // errors). `max_line`: the longest line accepted. `context` starts every error message.
  CursorReader(RowSink& sink, std::size_t rows_step, std::size_t max_line, std::string context);

  // The next bytes of the body. Returns false once the sink asked to stop: the caller ends
  // the transfer. Throws ds::Error for the read step's error, the batch's error, a malformed
  // or too long line, and whatever the sink throws.
  bool feed(std::string_view chunk);

  // The body ended. Throws ds::Error(unavailable) unless the read step was seen to end.
  void finish();

  // The error of step `step` (< rows_step), when it failed.
  const std::optional<StreamError>& error_before(std::size_t step) const;
  std::size_t rows() const noexcept { return rows_; }
  // The header's baton and base_url: where the stream goes on (once the header was read).
  const std::optional<std::string>& baton() const noexcept { return entry_.baton; }
  const std::optional<std::string>& base_url() const noexcept { return entry_.base_url; }
  // The read step ended and the sink took every row: the stream is fit for another read.
  bool complete() const noexcept { return done_ && !stopped_; }

 private:
  void line(std::string_view text);

  RowSink& sink_;
  std::size_t rows_step_;
  std::size_t max_line_;
  std::string context_;
  std::string pending_;  // the unfinished line
  CursorEntry entry_;
  std::vector<std::optional<StreamError>> errors_before_;
  bool header_seen_ = false;
  std::optional<std::size_t> current_step_;  // between step_begin and its end
  std::size_t columns_ = 0;
  std::size_t rows_ = 0;
  bool done_ = false;     // the read step ended
  bool stopped_ = false;  // the sink said stop
};

}  // namespace ds::db::hrana
