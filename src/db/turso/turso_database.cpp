#include "db/turso/turso_database.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.hpp"
#include "db/fail_when.hpp"
#include "db/sql_keyword.hpp"
#include "db/turso/hrana_errors.hpp"

namespace ds::db {
namespace {

using hrana::PipelineResponse;
using hrana::PipelineWriter;
using hrana::RequestOutcome;
using turso::Repeat;

using sql_keyword::is_insert;
using sql_keyword::is_read;

// Servers report the connection's counters whatever the statement did; keep exactly what the
// SQLite driver reports: rows written by this statement, a rowid only after an INSERT wrote.
Result normalized(Result r, std::string_view sql) {
  if (is_read(sql) || r.rows_affected < 0) r.rows_affected = 0;
  if (r.rows_affected == 0 || !is_insert(sql)) r.last_insert_rowid.reset();
  return r;
}

// A statement's result out of an execute outcome, or its error.
Result take_execute(RequestOutcome& outcome, std::string_view sql, std::string_view host) {
  if (outcome.error) throw hrana::stream_error(*outcome.error, fmt::format("Turso at {}", host));
  if (outcome.kind != RequestOutcome::Kind::execute) {
    throw Error(Errc::unavailable,
                fmt::format("Turso at {} answered an execute with another response type", host));
  }
  return normalized(std::move(outcome.result), sql);
}

// A step error of an atomic batch as the error its caller sees.
Error step_error(const hrana::StreamError& e, std::string_view host, std::string_view what) {
  return hrana::stream_error(e, fmt::format("Turso at {}: batch {} failed", host, what));
}

// The statements' results out of an atomic batch written by PipelineWriter::atomic_batch
// (steps: begin, statements..., [probe, check,] commit, undo...); the first failing step
// becomes the error: BatchError when it is one of the statements.
std::vector<Result> take_batch(RequestOutcome& outcome, std::span<const Statement> statements,
                               std::string_view host, bool verified) {
  if (outcome.error) throw hrana::stream_error(*outcome.error, fmt::format("Turso at {}", host));
  auto& b = outcome.batch;
  const std::size_t n = statements.size();
  const std::size_t commit = verified ? n + 3 : n + 1;
  if (outcome.kind != RequestOutcome::Kind::batch || b.step_results.size() <= commit) {
    throw Error(Errc::unavailable,
                fmt::format("Turso at {} answered a batch with a malformed result", host));
  }
  if (b.step_errors[0]) throw step_error(*b.step_errors[0], host, "BEGIN");
  for (std::size_t i = 1; i <= n; ++i) {
    if (b.step_errors[i])
      throw BatchError(step_error(*b.step_errors[i], host, fmt::format("statement {} of {}", i, n)),
                       i - 1);
  }
  if (verified) {
    if (b.step_errors[n + 1]) {
      spdlog::warn(
          "turso host={} cannot check foreign keys ({}): they were not verified before commit",
          host, b.step_errors[n + 1]->message);
    } else if (b.step_errors[n + 2]) {
      throw Error(
          Errc::constraint,
          fmt::format(
              "Turso at {}: rolled back: foreign key violation(s) after the statements ran; "
              "run PRAGMA foreign_key_check on a copy with them applied to see which rows",
              host));
    }
  }
  if (b.step_errors[commit]) throw step_error(*b.step_errors[commit], host, "COMMIT");
  std::vector<Result> results;
  results.reserve(n);
  for (std::size_t i = 1; i <= n; ++i) {
    if (!b.step_results[i]) {
      throw Error(
          Errc::unavailable,
          fmt::format("Turso at {} skipped batch step {} without reporting an error; the batch was "
                      "rolled back",
                      host, i));
    }
    results.push_back(normalized(std::move(*b.step_results[i]), statements[i - 1].sql));
  }
  if (!b.step_results[commit]) {
    throw Error(Errc::unavailable,
                fmt::format("Turso at {} did not commit the batch; it was rolled back", host));
  }
  return results;
}

// How a migration batch checks foreign keys inside its transaction. The probe costs nothing
// (WHERE 0) and fails only on servers without the check (the local tursodb).
constexpr std::string_view kForeignKeyProbe = "SELECT 1 FROM pragma_foreign_key_check WHERE 0";
const std::string kForeignKeyCheck = fail_when("EXISTS (SELECT 1 FROM pragma_foreign_key_check)");

constexpr std::string_view kRollback[] = {"ROLLBACK"};
constexpr std::string_view kRollbackSavepoint[] = {"ROLLBACK TO ds_batch", "RELEASE ds_batch"};

}  // namespace

// The Transaction handed to a transaction body: every statement runs on one server stream.
class TursoStream final : public Transaction {
 public:
  explicit TursoStream(TursoDatabase& db) : db_(db), url_(db.pipeline_url_) {}

  Result execute(std::string_view sql, std::span<const Value> params) override {
    auto resp = round_trip([&](PipelineWriter& w) { w.execute(sql, params); }, false);
    return take_execute(resp.results.back(), sql, db_.host());
  }

  // Inside a transaction a batch is a savepoint: all of it or none, in one round trip.
  std::vector<Result> batch(std::span<const Statement> statements) override {
    if (statements.empty()) return {};
    auto resp = round_trip(
        [&](PipelineWriter& w) {
          w.atomic_batch(statements, "SAVEPOINT ds_batch", "RELEASE ds_batch", kRollbackSavepoint);
        },
        false);
    return take_batch(resp.results.back(), statements, db_.host(), false);
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

  void commit() {
    if (!begun_) return;  // the body ran no statement: nothing was sent, nothing to end
    auto resp = round_trip([&](PipelineWriter& w) { w.execute("COMMIT", {}); }, true);
    take_execute(resp.results.front(), "COMMIT", db_.host());
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
          url_, baton_,
          [&](PipelineWriter& w) {
            if (with_begin) w.execute("BEGIN IMMEDIATE", {});
            build(w);
          },
          last, Repeat::never, /*in_stream=*/true);
    } catch (...) {
      dead_ = true;
      throw;
    }
    begun_ = true;
    closed_ = last;
    // Always send the latest baton. A server that keeps no streams answers null; its requests
    // then share its one connection, which is where our BEGIN ran.
    baton_ = resp.baton;
    if (resp.base_url) url_ = turso::follow_base_url(db_.endpoint_, *resp.base_url) + "v2/pipeline";
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

  void end_quietly() noexcept {
    try {
      db_.send(
          url_, baton_, [](PipelineWriter&) {}, true, Repeat::never, true);
    } catch (const std::exception& e) {
      spdlog::debug("turso host={} ending a stream failed: {}", db_.host(), e.what());
    }
    closed_ = true;
  }

  TursoDatabase& db_;
  std::string url_;
  std::optional<std::string> baton_;
  bool begun_ = false;
  bool dead_ = false;
  bool closed_ = false;
};

TursoDatabase::TursoDatabase(const TursoOptions& options)
    : endpoint_(turso::parse_endpoint(options.url)),
      token_(options.token ? *options.token : endpoint_.url_token.value_or(Secret())),
      pipeline_url_(endpoint_.pipeline_url()),
      http_(endpoint_.host, token_, options) {
  if (token_.empty()) {
    throw Error(Errc::validation,
                "Turso needs an auth token: set TURSO_AUTH_TOKEN (or authToken in the URL)");
  }
  if (auto problem = turso::auth_token_problem(token_, "TURSO_AUTH_TOKEN")) {
    throw Error(Errc::validation, *problem);
  }
}

Error TursoDatabase::redacted(const Error& e) const {
  return Error(e.code(), hrana::redact(e.what(), token_), e.native_code());
}

PipelineResponse TursoDatabase::send(const std::string& url,
                                     const std::optional<std::string>& baton, const Build& build,
                                     bool last, Repeat repeat, bool in_stream) {
  for (;;) {
    const bool with_close = last && close_accepted_.load(std::memory_order_relaxed);
    PipelineWriter writer(baton);
    build(writer);
    const std::size_t requests = writer.request_count();
    if (with_close) writer.close();
    const std::string body = writer.finish();

    turso::HttpReply reply = http_.post(url, body, repeat);
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
      return resp;
    }
    if (with_close && hrana::is_close_rejection(reply.status, reply.body)) {
      // The server could not parse the pipeline, so none of it ran: send it again without close.
      close_accepted_.store(false, std::memory_order_relaxed);
      spdlog::info("turso host={} does not accept the close request; streams end without it",
                   host());
      continue;
    }
    throw redacted(hrana::http_error(reply.status, reply.body, host(), in_stream));
  }
}

Result TursoDatabase::execute(std::string_view sql, std::span<const Value> params) {
  // A read is safe to repeat; a write only when the server was never reached.
  const Repeat repeat = is_read(sql) ? Repeat::always : Repeat::if_not_sent;
  auto resp = send(
      pipeline_url_, std::nullopt, [&](PipelineWriter& w) { w.execute(sql, params); }, true, repeat,
      false);
  return take_execute(resp.results.front(), sql, host());
}

std::vector<Outcome> TursoDatabase::execute_each(std::span<const Statement> statements) {
  if (statements.empty()) return {};
  const bool reads = std::all_of(statements.begin(), statements.end(),
                                 [](const Statement& s) { return is_read(s.sql); });
  auto resp = send(
      pipeline_url_, std::nullopt,
      [&](PipelineWriter& w) {
        for (const auto& s : statements) w.execute(s.sql, s.params);
      },
      true, reads ? Repeat::always : Repeat::if_not_sent, false);
  std::vector<Outcome> out;
  out.reserve(statements.size());
  for (std::size_t i = 0; i < statements.size(); ++i) {
    try {
      out.push_back({take_execute(resp.results[i], statements[i].sql, host()), std::nullopt});
    } catch (const Error& e) {
      out.push_back({std::nullopt, e});
    }
  }
  return out;
}

std::vector<Result> TursoDatabase::batch(std::span<const Statement> statements) {
  if (statements.empty()) return {};
  auto resp = send(
      pipeline_url_, std::nullopt,
      [&](PipelineWriter& w) {
        w.atomic_batch(statements, "BEGIN IMMEDIATE", "COMMIT", kRollback);
      },
      true, Repeat::if_not_sent, false);
  return take_batch(resp.results.front(), statements, host(), false);
}

void TursoDatabase::transaction(const std::function<void(Transaction&)>& body) {
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
  // One pipeline: foreign keys off (a no-op inside a transaction), the atomic batch checking
  // foreign keys before its commit, foreign keys back on whatever happened.
  const PipelineWriter::Verification verify{kForeignKeyProbe, kForeignKeyCheck};
  auto resp = send(
      pipeline_url_, std::nullopt,
      [&](PipelineWriter& w) {
        w.execute("PRAGMA foreign_keys=OFF", {});
        w.atomic_batch(statements, "BEGIN IMMEDIATE", "COMMIT", kRollback, &verify);
        w.execute("PRAGMA foreign_keys=ON", {});
      },
      true, Repeat::if_not_sent, false);
  take_execute(resp.results[0], "PRAGMA foreign_keys=OFF", host());
  return take_batch(resp.results[1], statements, host(), true);
}

std::shared_ptr<TursoDatabase> open_turso(const TursoOptions& options) {
  auto db = std::make_shared<TursoDatabase>(options);
  db->execute("SELECT 1");
  spdlog::info("turso host={} reachable, token accepted", db->host());
  return db;
}

}  // namespace ds::db
