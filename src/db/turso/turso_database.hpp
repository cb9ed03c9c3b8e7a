#pragma once
// The Turso / libSQL remote driver: ds::db::Connection over Hrana-over-HTTP (`POST
// /v3/pipeline`, or `/v2/pipeline` on a server without Hrana 3: found out at the first
// request, remembered, and re-checked after a 404). Same results and error codes as the SQLite
// driver, in as few round trips as the protocol allows:
//   execute      one pipeline: [execute, close]; a write also asks its connection for its
//                counts in the same pipeline (write_counts.hpp), so rows_affected and
//                last_insert_rowid are true whatever the server reports
//   batch        one pipeline: one atomic `batch` (BEGIN IMMEDIATE; each step if ok(previous);
//                COMMIT if ok(last); ROLLBACK if not ok(COMMIT)), then close
//   migration_batch  one pipeline: PRAGMA foreign_keys=OFF, the atomic batch with a
//                foreign-key check before its COMMIT, PRAGMA foreign_keys=ON, close
//   stream       a read: one `POST /v3/cursor` ([PRAGMA foreign_keys=ON, the read] as one
//                batch) whose rows go to the sink as they arrive, never all held at once;
//                on a server without it (404, remembered) or on Hrana 2, execute's pipeline.
//                A stream whose read ran to its end is kept for the next read (idle_streams.hpp);
//                one stopped or failed midway is left to the server to expire.
//   transaction  a stream (baton): BEGIN rides with the first statement, each later statement
//                is one round trip, COMMIT rides with close. A stream the server expires or
//                kills (any non-2xx answer) fails the transaction with ds::Error(unavailable);
//                nothing inside a stream is ever retried. One refused with a 5xx or 429 (it
//                may still be open on the server, holding the write lock) is rolled back at
//                once, best effort.
// A request that reached the server but got no usable answer (reset, lost, timed out, 5xx) is
// never resent unless it is a read outside a stream; its error says that a write's outcome is
// unknown (docs/TURSO.md, "Faults on the wire").
// Every pipeline that opens a stream starts with PRAGMA foreign_keys=ON (a server's
// connections may start with them off, as stock SQLite's do), so foreign keys hold on every
// server at no extra round trip.
// `close` is sent as the last request of a stream's final pipeline; a server that rejects it
// (the pipeline fails to parse, so nothing ran) is remembered and gets no more `close`s.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/secret.hpp"
#include "core/turso_options.hpp"
#include "db/connection.hpp"
#include "db/turso/hrana_codec.hpp"
#include "db/turso/http_client.hpp"
#include "db/turso/idle_streams.hpp"
#include "db/turso/turso_url.hpp"

namespace ds::db {

class TursoDatabase final : public Connection {
 public:
  // Parses the URL; no network yet. Throws ds::Error(validation) for a bad URL or no token.
  explicit TursoDatabase(const TursoOptions& options);

  Result execute(std::string_view sql, std::span<const Value> params = {}) override;
  std::int64_t stream(std::string_view sql, std::span<const Value> params, RowSink& sink) override;
  // One pipeline: [execute...,  close].
  std::vector<Outcome> execute_each(std::span<const Statement> statements) override;
  std::vector<Result> batch(std::span<const Statement> statements) override;
  void transaction(const std::function<void(Transaction&)>& body) override;
  // One pipeline: [PRAGMA foreign_keys=OFF, atomic batch with a foreign-key check before
  // COMMIT, PRAGMA foreign_keys=ON, close].
  std::vector<Result> migration_batch(std::span<const Statement> statements) override;
  std::string_view dialect() const noexcept override { return "turso"; }

  // HTTP requests sent so far, every attempt counted (tests prove round-trip counts with it).
  std::uint64_t requests_sent() const noexcept { return http_.requests_sent(); }
  // "host[:port]": how messages name the server.
  const std::string& host() const noexcept { return endpoint_.host; }
  // False once the server has rejected a `close` request.
  bool sends_close() const noexcept { return close_accepted_.load(std::memory_order_relaxed); }
  // False once the server has answered 404 to `/v3/cursor` (or speaks only Hrana 2): reads
  // then go through the pipeline.
  bool streams_reads() const noexcept {
    return cursor_available_.load(std::memory_order_relaxed) &&
           protocol_.load(std::memory_order_relaxed) == turso::Protocol::v3;
  }

 private:
  friend class TursoStream;
  using Build = std::function<void(hrana::PipelineWriter&)>;

  // Sends one pipeline built by `build` (plus `close` when `last`); returns the decoded 200
  // answer with at least as many results as `build` wrote requests. Throws ds::Error.
  // `stream_url`: where a stream's later pipelines go; null for a pipeline to the database's
  // endpoint, whose protocol is found out here (v3 first; after a 404 the other one, which is
  // then remembered) and reported in `spoke`.
  hrana::PipelineResponse send(const std::string* stream_url,
                               const std::optional<std::string>& baton, const Build& build,
                               bool last, turso::Repeat repeat, bool in_stream,
                               turso::Protocol* spoke = nullptr);
  // A read through `/v3/cursor`; false (nothing ran, nothing reached the sink) when the
  // server has no such endpoint.
  bool read_through_cursor(std::string_view sql, std::span<const Value> params, RowSink& sink);
  Error redacted(const Error& e) const;

  turso::Endpoint endpoint_;
  Secret token_;
  std::atomic<turso::Protocol> protocol_{turso::Protocol::v3};
  std::optional<Secret> encryption_key_;  // only to keep it out of error messages
  turso::HttpClient http_;
  std::atomic<bool> close_accepted_{true};
  std::atomic<bool> cursor_available_{true};
  std::size_t max_line_bytes_;
  // sqld expires a stream after 10 s idle: one idle for 5 s is still there.
  turso::IdleStreams idle_streams_{8, std::chrono::seconds(5)};
};

// Opens the driver and proves the server answers and accepts the token (`SELECT 1`): for
// callers that want the check on its own. (The server's own setup skips it: its first
// statement proves the same before anything is persisted, one round trip fewer.) Throws ds::Error:
// validation (URL, token), auth (401/403), unavailable (refused, DNS, TLS, timeout, 5xx) naming the
// host, never the token.
std::shared_ptr<TursoDatabase> open_turso(const TursoOptions& options);

}  // namespace ds::db
