#include "db/turso/turso_database.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

#include "core/error.hpp"
#include "db/fail_when.hpp"
#include "db/sql_keyword.hpp"
#include "db/statement_metrics.hpp"
#include "db/turso/hrana_cursor.hpp"
#include "db/turso/hrana_errors.hpp"
#include "db/turso/write_counts.hpp"

namespace ds::db {
namespace {

using hrana::PipelineResponse;
using hrana::PipelineWriter;
using hrana::RequestOutcome;
using turso::Repeat;

using turso::CountedSteps;

// A non-200 answer: the server (or a gateway in front of it) answered without running the
// pipeline as asked. `status` tells a transaction whether its stream may still be open.
class AnsweredError : public Error {
 public:
  AnsweredError(const Error& e, long status) : Error(e), status_(status) {}
  long status() const noexcept { return status_; }

 private:
  long status_;
};

// A non-200 answer as the error its caller sees; `e` is the redacted http_error().
AnsweredError refused(const Error& e, const turso::HttpReply& reply,
                      std::string_view note_for_5xx) {
  std::string note;
  if (reply.status == 429) {
    note =
        fmt::format("; the server refused to run it (rate limited{}): it was not applied",
                    reply.retry_after_s ? fmt::format(", Retry-After: {} s", *reply.retry_after_s)
                                        : std::string());
  } else if (reply.status >= 500) {
    note = note_for_5xx;
  }
  return AnsweredError(Error(e.code(), e.what() + note, e.native_code()), reply.status);
}

// What a request that got no usable answer means for its effect, said in its error: a write
// that may have run is never repeated, and its caller must know it may have been applied.
std::string outcome_note(bool may_have_run, Repeat repeat, bool in_stream, bool last) {
  if (repeat == Repeat::always) return {};  // a read: repeated as far as the deadline allowed
  if (!may_have_run) return "; nothing reached the server, so nothing was applied";
  if (in_stream && !last) {
    return "; the transaction was not committed (the server rolls it back) and it was not "
           "retried";
  }
  return "; the request may have been applied: its outcome is unknown and it was not retried";
}

// The result of one request, or its error.
Result checked(RequestOutcome& outcome, std::string_view host) {
  if (outcome.error) throw hrana::stream_error(*outcome.error, fmt::format("Turso at {}", host));
  if (outcome.kind != RequestOutcome::Kind::execute) {
    throw Error(Errc::unavailable,
                fmt::format("Turso at {} answered an execute with another response type", host));
  }
  return std::move(outcome.result);
}

// Each step as its own request of the pipeline.
void write_steps(PipelineWriter& w, const CountedSteps& counted) {
  for (const auto& step : counted.steps()) w.execute(step.sql, step.params);
}

// Statement i's result out of the outcomes of the requests write_steps() wrote; `results` is
// scratch indexed like the steps. Throws the statement's own error.
Result take_statement(std::span<RequestOutcome> outcomes, const CountedSteps& counted,
                      std::size_t i, std::vector<std::optional<Result>>& results,
                      std::string_view host) {
  results.resize(counted.steps().size());
  for (std::size_t k = counted.own_step(i); k <= counted.last_step(i); ++k) {
    RequestOutcome& o = outcomes[k];
    if (k == counted.own_step(i)) {
      results[k] = checked(o, host);
    } else if (!o.error && o.kind == RequestOutcome::Kind::execute) {
      results[k] = std::move(o.result);
    }
  }
  return counted.result(i, results);
}

// A step error of an atomic batch as the error its caller sees.
Error step_error(const hrana::StreamError& e, std::string_view host, std::string_view what) {
  return hrana::stream_error(e, fmt::format("Turso at {}: batch {} failed", host, what));
}

// The statements' results out of an atomic batch of `counted`'s steps written by
// PipelineWriter::atomic_batch (steps: begin, counted steps..., [probe, check,] commit,
// undo...); the first failing step becomes the error: BatchError when it belongs to one of the
// statements.
std::vector<Result> take_batch(RequestOutcome& outcome, const CountedSteps& counted,
                               std::string_view host, bool verified) {
  if (outcome.error) throw hrana::stream_error(*outcome.error, fmt::format("Turso at {}", host));
  auto& b = outcome.batch;
  const std::size_t m = counted.steps().size();
  const std::size_t n = counted.statement_count();
  const std::size_t commit = verified ? m + 3 : m + 1;
  if (outcome.kind != RequestOutcome::Kind::batch || b.step_results.size() <= commit) {
    throw Error(Errc::unavailable,
                fmt::format("Turso at {} answered a batch with a malformed result", host));
  }
  if (b.step_errors[0]) throw step_error(*b.step_errors[0], host, "BEGIN");
  for (std::size_t k = 1; k <= m; ++k) {
    if (!b.step_errors[k]) continue;
    const std::size_t i = counted.statement_of(k - 1);
    throw BatchError(
        step_error(*b.step_errors[k], host, fmt::format("statement {} of {}", i + 1, n)), i);
  }
  if (verified) {
    if (b.step_errors[m + 1]) {
      spdlog::warn(
          "turso host={} cannot check foreign keys ({}): they were not verified before commit",
          host, b.step_errors[m + 1]->message);
    } else if (b.step_errors[m + 2]) {
      throw Error(
          Errc::constraint,
          fmt::format(
              "Turso at {}: rolled back: foreign key violation(s) after the statements ran; "
              "run PRAGMA foreign_key_check on a copy with them applied to see which rows",
              host));
    }
  }
  if (b.step_errors[commit]) throw step_error(*b.step_errors[commit], host, "COMMIT");
  for (std::size_t i = 0; i < n; ++i) {
    if (!b.step_results[counted.own_step(i) + 1]) {
      throw Error(
          Errc::unavailable,
          fmt::format("Turso at {} skipped batch step {} without reporting an error; the batch was "
                      "rolled back",
                      host, counted.own_step(i) + 1));
    }
  }
  if (!b.step_results[commit]) {
    throw Error(Errc::unavailable,
                fmt::format("Turso at {} did not commit the batch; it was rolled back", host));
  }
  const std::span<std::optional<Result>> steps(b.step_results.data() + 1, m);
  std::vector<Result> results;
  results.reserve(n);
  for (std::size_t i = 0; i < n; ++i) results.push_back(counted.result(i, steps));
  return results;
}

// How a migration batch checks foreign keys inside its transaction. The probe costs nothing
// (WHERE 0) and fails only on servers without the check (the local tursodb).
constexpr std::string_view kForeignKeyProbe = "SELECT 1 FROM pragma_foreign_key_check WHERE 0";
const std::string kForeignKeyCheck = fail_when("EXISTS (SELECT 1 FROM pragma_foreign_key_check)");

constexpr std::string_view kRollback[] = {"ROLLBACK"};
constexpr std::string_view kForeignKeysOn = "PRAGMA foreign_keys=ON";

void warn_foreign_keys_not_enforced(const hrana::StreamError& error) {
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true)) {
    spdlog::error(
        "turso: the server refused PRAGMA foreign_keys=ON ({}): foreign keys may not be "
        "enforced on this server",
        error.message);
  }
}
constexpr std::string_view kRollbackSavepoint[] = {"ROLLBACK TO ds_batch", "RELEASE ds_batch"};

}  // namespace

// The Transaction handed to a transaction body: every statement runs on one server stream.
class TursoStream final : public Transaction {
 public:
  explicit TursoStream(TursoDatabase& db) : db_(db) {}

  Result execute(std::string_view sql, std::span<const Value> params) override {
    const CountedSteps counted(sql, params);
    auto resp = round_trip([&](PipelineWriter& w) { write_steps(w, counted); }, false);
    std::vector<std::optional<Result>> scratch;
    return take_statement(resp.results, counted, 0, scratch, db_.host());
  }

  // Inside a transaction a batch is a savepoint: all of it or none, in one round trip.
  std::vector<Result> batch(std::span<const Statement> statements) override {
    if (statements.empty()) return {};
    const CountedSteps counted(statements);
    auto resp = round_trip(
        [&](PipelineWriter& w) {
          w.atomic_batch(counted.steps(), "SAVEPOINT ds_batch", "RELEASE ds_batch",
                         kRollbackSavepoint);
        },
        false);
    return take_batch(resp.results.back(), counted, db_.host(), false);
  }

  void savepoint(const std::function<void(Transaction&)>& body) override {
    execute("SAVEPOINT ds_nested", {});
    try {
      body(*this);
    } catch (...) {
      if (!dead_) {
        try {
          execute("ROLLBACK TO ds_nested", {});
          execute("RELEASE ds_nested", {});
        } catch (const Error&) {
        }
      }
      throw;
    }
    execute("RELEASE ds_nested", {});
  }

  std::string_view dialect() const noexcept override { return "turso"; }

  // COMMIT, and ROLLBACK in the same batch when it fails: a failed COMMIT (a deferred
  // constraint, a busy database) leaves the transaction open, and on a server whose requests
  // share one connection (tursodb keeps no streams, so closing ends nothing) every later
  // request would run inside it. The server ends it in the same round trip, whatever it is,
  // and its answer says whether it did.
  void commit() {
    if (!begun_) return;  // the body ran no statement: nothing was sent, nothing to end
    auto resp = round_trip([&](PipelineWriter& w) { w.with_undo("COMMIT", kRollback); }, true);
    auto& outcome = resp.results.front();
    if (outcome.error) {
      throw hrana::stream_error(*outcome.error, fmt::format("Turso at {}", db_.host()));
    }
    auto& b = outcome.batch;
    if (outcome.kind != RequestOutcome::Kind::batch || b.step_results.size() < 2) {
      throw Error(Errc::unavailable,
                  fmt::format("Turso at {} answered a COMMIT with a malformed result; the "
                              "transaction's outcome is unknown",
                              db_.host()));
    }
    if (b.step_errors[0]) {
      const Error e = hrana::stream_error(*b.step_errors[0],
                                          fmt::format("Turso at {}: COMMIT failed", db_.host()));
      if (!b.step_results[1]) {
        spdlog::error(
            "turso host={} the ROLLBACK after a failed COMMIT did not run ({}): the "
            "transaction may still be open on the server",
            db_.host(), b.step_errors[1] ? b.step_errors[1]->message : "skipped");
        throw e;
      }
      throw Error(e.code(), e.what() + std::string("; the transaction was rolled back"),
                  e.native_code());
    }
    if (!b.step_results[0]) {
      throw Error(Errc::unavailable,
                  fmt::format("Turso at {} skipped the COMMIT without reporting an error; the "
                              "transaction's outcome is unknown",
                              db_.host()));
    }
  }

  // Best effort: the transaction is abandoned either way (closing the stream rolls it back).
  void rollback() noexcept {
    if (!begun_ || dead_ || closed_) return;
    try {
      round_trip([&](PipelineWriter& w) { w.execute("ROLLBACK", {}); }, true);
    } catch (const std::exception& e) {
      spdlog::debug("turso host={} rollback failed: {}", db_.host(), e.what());
    }
  }

 private:
  // One pipeline on this stream; BEGIN rides along with the first one. The results it
  // returns end with the outcome of what `build` wrote (BEGIN's is checked here).
  PipelineResponse round_trip(const std::function<void(PipelineWriter&)>& build, bool last) {
    if (dead_ || closed_) {
      throw Error(Errc::unavailable,
                  fmt::format("Turso at {}: the transaction's stream is gone; it was rolled back",
                              db_.host()));
    }
    const bool with_begin = !begun_;
    const std::size_t prefix = with_begin ? 1 : 0;
    PipelineResponse resp;
    try {
      resp = db_.send(
          url_ ? &*url_ : nullptr, baton_,
          [&](PipelineWriter& w) {
            if (with_begin) w.execute("BEGIN IMMEDIATE", {});
            build(w);
          },
          last, Repeat::never, /*in_stream=*/true, &protocol_);
    } catch (const AnsweredError& e) {
      dead_ = true;
      // Refused without running (a 5xx, a 429), the stream may still be open on the server,
      // its transaction holding the write lock until the stream expires (sqld: 10 s) and
      // making every other write wait: roll it back now, best effort.
      if (begun_ && (e.status() == 429 || e.status() >= 500)) abandon_quietly();
      throw;
    } catch (...) {
      dead_ = true;
      throw;
    }
    begun_ = true;
    closed_ = last;
    // Always send the latest baton. A server that keeps no streams answers null; its requests
    // then share its one connection, which is where our BEGIN ran.
    baton_ = resp.baton;
    // The stream lives where it was opened, with the protocol it was opened with.
    if (!url_) url_ = db_.endpoint_.pipeline_url(protocol_);
    if (resp.base_url) {
      url_ = turso::follow_base_url(db_.endpoint_, *resp.base_url) +
             std::string(turso::pipeline_path(protocol_));
    }
    for (std::size_t i = 0; i < prefix; ++i) {
      if (!resp.results[i].error) continue;
      // No transaction: nothing the body does may run. Closing the stream ends it cleanly.
      dead_ = true;
      const auto error = hrana::stream_error(
          *resp.results[i].error,
          fmt::format("Turso at {}: starting the transaction failed", db_.host()));
      if (!closed_) end_quietly();
      throw error;
    }
    resp.results.erase(resp.results.begin(),
                       resp.results.begin() + static_cast<std::ptrdiff_t>(prefix));
    return resp;
  }

  void abandon_quietly() noexcept {
    try {
      db_.send(
          url_ ? &*url_ : nullptr, baton_, [](PipelineWriter& w) { w.execute("ROLLBACK", {}); },
          true, Repeat::never, true);
    } catch (const std::exception& e) {
      spdlog::debug("turso host={} rolling back a failed transaction failed: {}", db_.host(),
                    e.what());
    }
    closed_ = true;
  }

  void end_quietly() noexcept {
    try {
      db_.send(
          url_ ? &*url_ : nullptr, baton_, [](PipelineWriter&) {}, true, Repeat::never, true);
    } catch (const std::exception& e) {
      spdlog::debug("turso host={} ending a stream failed: {}", db_.host(), e.what());
    }
    closed_ = true;
  }

  TursoDatabase& db_;
  std::optional<std::string> url_;  // set by the first pipeline, which opens the stream
  turso::Protocol protocol_ = turso::Protocol::v3;
  std::optional<std::string> baton_;
  bool begun_ = false;
  bool dead_ = false;
  bool closed_ = false;
};

TursoDatabase::TursoDatabase(const TursoOptions& options)
    : endpoint_(turso::parse_endpoint(options.url)),
      token_(options.token ? *options.token : endpoint_.url_token.value_or(Secret())),
      encryption_key_(options.encryption_key),
      http_(endpoint_.host, token_, options),
      max_line_bytes_(options.max_response_bytes) {
  if (token_.empty()) {
    throw Error(Errc::validation,
                "Turso needs an auth token: set TURSO_AUTH_TOKEN (or authToken in the URL)");
  }
  if (auto problem = turso::header_secret_problem(token_, "TURSO_AUTH_TOKEN")) {
    throw Error(Errc::validation, *problem);
  }
  if (encryption_key_) {
    if (auto problem = turso::header_secret_problem(*encryption_key_, "TURSO_ENCRYPTION_KEY"))
      throw Error(Errc::validation, *problem);
  }
}

Error TursoDatabase::redacted(const Error& e) const {
  std::string text = hrana::redact(e.what(), token_);
  if (encryption_key_) text = hrana::redact(std::move(text), *encryption_key_);
  return Error(e.code(), std::move(text), e.native_code());
}

PipelineResponse TursoDatabase::send(const std::string* stream_url,
                                     const std::optional<std::string>& baton, const Build& build,
                                     bool last, Repeat repeat, bool in_stream,
                                     turso::Protocol* spoke) {
  // A new stream starts as its server's connections start, which may be with foreign keys
  // off (stock SQLite's default, and tursodb's): turn them on first, in the same pipeline.
  // (Inside a transaction the pragma is a no-op; a stream's first pipeline puts it before BEGIN.)
  const bool opens_stream = !baton.has_value();
  bool tried_other_protocol = false;
  for (;;) {
    turso::Protocol protocol = protocol_.load(std::memory_order_relaxed);
    const std::string url = stream_url ? *stream_url : endpoint_.pipeline_url(protocol);
    const bool with_close = last && close_accepted_.load(std::memory_order_relaxed);
    PipelineWriter writer(baton);
    if (opens_stream) writer.execute(kForeignKeysOn, {});
    build(writer);
    const std::size_t requests = writer.request_count();
    if (with_close) writer.close();
    const std::string body = writer.finish();

    turso::HttpReply reply;
    try {
      reply = http_.post(url, body, repeat);
    } catch (const turso::NoAnswer& e) {
      throw Error(Errc::unavailable,
                  e.what() + outcome_note(e.may_have_run(), repeat, in_stream, last));
    }
    if (reply.status == 200) {
      PipelineResponse resp;
      try {
        resp = hrana::consume_pipeline_response(std::move(reply.body));
      } catch (const Error& e) {
        throw redacted(Error(e.code(), fmt::format("Turso at {}: {}", host(), e.what())));
      }
      if (resp.results.size() < requests) {
        throw Error(Errc::unavailable,
                    fmt::format("Turso at {} answered {} of {} pipeline requests", host(),
                                resp.results.size(), requests));
      }
      resp.results.resize(requests);  // the close outcome carries nothing
      if (opens_stream) {
        if (resp.results.front().error) warn_foreign_keys_not_enforced(*resp.results.front().error);
        resp.results.erase(resp.results.begin());
      }
      if (spoke != nullptr && !stream_url) *spoke = protocol;
      return resp;
    }
    if (!stream_url && reply.status == 404 && !tried_other_protocol) {
      // No such endpoint: nothing ran. The server speaks only the other version (or stopped
      // speaking the remembered one): switch, remember, and send again.
      tried_other_protocol = true;
      const auto other =
          protocol == turso::Protocol::v3 ? turso::Protocol::v2 : turso::Protocol::v3;
      if (protocol_.compare_exchange_strong(protocol, other, std::memory_order_relaxed)) {
        spdlog::info("turso host={} has no /{}; speaking /{}", host(),
                     turso::pipeline_path(protocol), turso::pipeline_path(other));
      }
      continue;
    }
    if (with_close && hrana::is_close_rejection(reply.status, reply.body)) {
      // The server could not parse the pipeline, so none of it ran: send it again without close.
      close_accepted_.store(false, std::memory_order_relaxed);
      spdlog::info("turso host={} does not accept the close request; streams end without it",
                   host());
      continue;
    }
    throw refused(redacted(hrana::http_error(reply.status, reply.body, host(), in_stream)), reply,
                  outcome_note(true, repeat, in_stream, last));
  }
}

Result TursoDatabase::execute(std::string_view sql, std::span<const Value> params) {
  // A read is safe to repeat; a write only when the server was never reached.
  const bool read = sql_keyword::is_read(sql);
  const StatementTimer timer(read ? StatementKind::read : StatementKind::write);
  const Repeat repeat = read ? Repeat::always : Repeat::if_not_sent;
  const CountedSteps counted(sql, params);
  auto resp = send(
      nullptr, std::nullopt, [&](PipelineWriter& w) { write_steps(w, counted); }, true, repeat,
      false);
  std::vector<std::optional<Result>> scratch;
  return take_statement(resp.results, counted, 0, scratch, host());
}

std::int64_t TursoDatabase::stream(std::string_view sql, std::span<const Value> params,
                                   RowSink& sink) {
  // Writes keep execute's pipeline: their counts ride with them, and a write is never cut
  // off half-read by a sink that stops.
  if (sql_keyword::is_read(sql) && streams_reads()) {
    const StatementTimer timer(StatementKind::read);
    if (read_through_cursor(sql, params, sink)) return 0;  // a read writes nothing
  }
  return Executor::stream(sql, params, sink);  // execute() times itself
}

bool TursoDatabase::read_through_cursor(std::string_view sql, std::span<const Value> params,
                                        RowSink& sink) {
  // Foreign keys first, as every pipeline that opens a stream does (a no-op on a reused one).
  const hrana::Step steps[] = {{kForeignKeysOn, {}}, {sql, params}};
  const std::string context = fmt::format("Turso at {}", host());
  std::optional<turso::IdleStreams::Stream> reused = idle_streams_.take();
  for (;;) {
    const std::string url = reused ? reused->url : endpoint_.cursor_url();
    const std::string body =
        hrana::cursor_body(reused ? std::optional(reused->baton) : std::nullopt, steps);
    std::optional<hrana::CursorReader> reader;
    reader.emplace(sink, 1, max_line_bytes_, context);
    // A read cut off before any row reached the sink is repeated like any read; after, never
    // (the sink would see rows twice).
    const auto restart = [&] {
      if (reader->rows() > 0) return false;
      reader.emplace(sink, 1, max_line_bytes_, context);
      return true;
    };
    turso::HttpReply reply;
    try {
      reply = http_.post_streaming(
          url, body, Repeat::always,
          [&reader](std::string_view chunk) { return reader->feed(chunk); }, restart);
    } catch (const turso::NoAnswer& e) {
      throw Error(Errc::unavailable, e.what());  // a read: nothing to apply, nothing unknown
    }
    if (reused && (reply.status == 400 || reply.status == 404)) {
      // The kept stream expired on the server (STREAM_EXPIRED, or 404 on newer servers):
      // nothing ran. Once more on a new stream.
      spdlog::debug("turso host={} a kept stream is gone (HTTP {}); opening a new one", host(),
                    reply.status);
      reused.reset();
      continue;
    }
    if (reply.status == 404) {
      // No cursor endpoint (tursodb, a Hrana 2 server): nothing ran. Remember; read the other way.
      if (cursor_available_.exchange(false, std::memory_order_relaxed))
        spdlog::info("turso host={} has no /v3/cursor; reads go through the pipeline", host());
      return false;
    }
    if (reply.status != 200) {
      throw refused(redacted(hrana::http_error(reply.status, reply.body, host(), false)), reply,
                    "");
    }
    if (!reply.stopped) reader->finish();
    if (const auto& e = reader->error_before(0)) warn_foreign_keys_not_enforced(*e);
    // A stream whose read ran to its end is kept for the next read; one stopped midway (the
    // rest of its answer unread) or failed is left to expire.
    if (reader->complete() && reader->baton()) {
      idle_streams_.keep({*reader->baton(),
                          reader->base_url()
                              ? turso::follow_base_url(endpoint_, *reader->base_url()) + "v3/cursor"
                              : url});
    }
    return true;
  }
}

std::vector<Outcome> TursoDatabase::execute_each(std::span<const Statement> statements) {
  if (statements.empty()) return {};
  const bool reads = std::all_of(statements.begin(), statements.end(),
                                 [](const Statement& s) { return sql_keyword::is_read(s.sql); });
  const StatementTimer timer(reads ? StatementKind::read : StatementKind::write);
  const CountedSteps counted(statements);
  auto resp = send(
      nullptr, std::nullopt, [&](PipelineWriter& w) { write_steps(w, counted); }, true,
      reads ? Repeat::always : Repeat::if_not_sent, false);
  std::vector<Outcome> out;
  out.reserve(statements.size());
  std::vector<std::optional<Result>> scratch;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    try {
      out.push_back({take_statement(resp.results, counted, i, scratch, host()), std::nullopt});
    } catch (const Error& e) {
      out.push_back({std::nullopt, e});
    }
  }
  return out;
}

std::vector<Result> TursoDatabase::batch(std::span<const Statement> statements) {
  if (statements.empty()) return {};
  const StatementTimer timer(StatementKind::batch);
  const CountedSteps counted(statements);
  auto resp = send(
      nullptr, std::nullopt,
      [&](PipelineWriter& w) {
        w.atomic_batch(counted.steps(), "BEGIN IMMEDIATE", "COMMIT", kRollback);
      },
      true, Repeat::if_not_sent, false);
  return take_batch(resp.results.front(), counted, host(), false);
}

void TursoDatabase::transaction(const std::function<void(Transaction&)>& body) {
  const StatementTimer timer(StatementKind::transaction);
  TursoStream stream(*this);
  try {
    body(stream);
  } catch (...) {
    stream.rollback();
    throw;
  }
  stream.commit();
}

std::vector<Result> TursoDatabase::migration_batch(std::span<const Statement> statements) {
  const StatementTimer timer(StatementKind::migration);
  // One pipeline: foreign keys off (a no-op inside a transaction), the atomic batch checking
  // foreign keys before its commit, foreign keys back on whatever happened.
  const PipelineWriter::Verification verify{kForeignKeyProbe, kForeignKeyCheck};
  const CountedSteps counted(statements);
  auto resp = send(
      nullptr, std::nullopt,
      [&](PipelineWriter& w) {
        w.execute("PRAGMA foreign_keys=OFF", {});
        w.atomic_batch(counted.steps(), "BEGIN IMMEDIATE", "COMMIT", kRollback, &verify);
        w.execute(kForeignKeysOn, {});
      },
      true, Repeat::if_not_sent, false);
  checked(resp.results[0], host());
  return take_batch(resp.results[1], counted, host(), true);
}

std::shared_ptr<TursoDatabase> open_turso(const TursoOptions& options) {
  auto db = std::make_shared<TursoDatabase>(options);
  db->execute("SELECT 1");
  spdlog::info("turso host={} reachable, token accepted", db->host());
  return db;
}

}  // namespace ds::db
