#pragma once
// Hrana-over-HTTP JSON, both directions, with no network: what a pipeline request looks like
// on the wire and what a pipeline response means. See shared/spec/hrana.md.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "db/result.hpp"
#include "db/value.hpp"

namespace ds::db::hrana {

// One statement to send, as views: what a request or a batch step carries.
struct Step {
  std::string_view sql;
  std::span<const Value> params;
};
// The statements as steps (views into `statements`, which must outlive them).
std::vector<Step> steps_of(std::span<const Statement> statements);

// Builds the body of one `POST /v2/pipeline`. Text (SQL and values) must be valid UTF-8 and
// floats finite: otherwise ds::Error(misuse), before anything is sent.
class PipelineWriter {
 public:
  explicit PipelineWriter(const std::optional<std::string>& baton);

  void execute(std::string_view sql, std::span<const Value> args);

  // A check run after the statements, before the commit: `probe_sql` fails when the server
  // cannot run the check (then the batch commits without it), `check_sql` fails when the
  // check finds a problem (then the batch rolls back).
  struct Verification {
    std::string_view probe_sql;
    std::string_view check_sql;
  };

  // One `batch` request that runs `statements` atomically: `begin_sql`; each statement if
  // ok(previous); with `verify`: probe if ok(last), check if ok(probe); `commit_sql` if
  // ok(last) and (ok(check) or not ok(probe)); then each of `undo_sqls` if not ok(commit).
  // Result steps: 0 = begin, 1..n = statements, [n+1 = probe, n+2 = check,] commit, undo steps.
  void atomic_batch(std::span<const Step> statements, std::string_view begin_sql,
                    std::string_view commit_sql, std::span<const std::string_view> undo_sqls,
                    const Verification* verify = nullptr);

  // One `batch` request: `sql`, then each of `undo_sqls` if not ok(sql). Result steps: 0 =
  // sql, then the undo steps.
  void with_undo(std::string_view sql, std::span<const std::string_view> undo_sqls);

  void close();

  std::size_t request_count() const noexcept { return requests_; }
  // The finished JSON text; the writer is spent afterwards.
  std::string finish();

 private:
  void begin_request();
  std::string out_;
  std::size_t requests_ = 0;
};

// An error reported by the server inside a 200 answer.
struct StreamError {
  std::string message;
  std::string code;
};

struct BatchOutcome {
  std::vector<std::optional<Result>> step_results;  // null: skipped or failed
  std::vector<std::optional<StreamError>> step_errors;
};

// The answer to one request of a pipeline.
struct RequestOutcome {
  enum class Kind { execute, batch, other };
  Kind kind = Kind::other;
  std::optional<StreamError> error;  // the request as a whole failed
  Result result;                     // Kind::execute
  BatchOutcome batch;                // Kind::batch
};

struct PipelineResponse {
  std::optional<std::string> baton;
  std::optional<std::string> base_url;
  std::vector<RequestOutcome> results;
};

// Parses a 200 answer. Unknown fields are ignored everywhere. A malformed answer throws
// ds::Error(unavailable) whose message says what was wrong (never the body itself).
PipelineResponse decode_pipeline_response(std::string_view body);
// The same, freeing `body` as soon as it is parsed (a large answer is never held as text,
// JSON and rows at once).
PipelineResponse consume_pipeline_response(std::string&& body);

// The body of one `POST /v3/cursor` (Hrana 3): on the stream `baton` names (a new one when
// null), `steps` as one batch, every step unconditionally, as a pipeline runs its requests.
// Same rules for text and floats as PipelineWriter.
std::string cursor_body(const std::optional<std::string>& baton, std::span<const Step> steps);

// One line of a `/v3/cursor` answer. The first line is the header ({baton, base_url}); every
// later one is an entry. Decoding reuses `row`'s storage, line after line.
struct CursorEntry {
  enum class Kind { header, step_begin, row, step_end, step_error, error, other };
  Kind kind = Kind::other;
  std::size_t step = 0;                        // step_begin, step_error
  std::size_t columns = 0;                     // step_begin
  std::vector<Value> row;                      // row
  StreamError error;                           // step_error, error
  std::optional<std::string> baton, base_url;  // header
};
// Throws ds::Error(unavailable) for a malformed line (never quoting it). Unknown entry types
// are Kind::other, to be ignored.
void decode_cursor_line(std::string_view line, bool header, CursorEntry& out);

// The parts, exposed for tests.
std::string encode_value(const Value& value);

}  // namespace ds::db::hrana
