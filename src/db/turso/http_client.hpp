#pragma once
// HTTPS POSTs to one Turso server over libcurl: kept-alive connections (a small pool of easy
// handles, one per concurrent caller), TLS verification on, a request counter, and retries
// with backoff only where the caller says repeating is safe. Every call is bounded: one
// deadline for the whole call (retries and backoff included), a size limit on the answer, and
// ds::blocking_io_abandoned() (the server's grace period is over) ends it early.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "core/turso_options.hpp"

namespace ds::db::turso {

enum class Repeat {
  never,        // may have been applied: one attempt only (a write, anything inside a stream)
  if_not_sent,  // repeat only when the server was never reached (refused, DNS)
  always,       // a read outside a stream: repeat on any transient failure (also 429, 502-504)
};

struct HttpReply {
  long status = 0;
  std::string body;
  std::optional<long> retry_after_s;  // the answer's Retry-After, in seconds
  bool stopped = false;               // post_streaming(): the reader ended the transfer
};

// Receives a 200 answer's body as it arrives (post_streaming); false ends the transfer.
using BodyReader = std::function<bool(std::string_view)>;
// Asked before repeating a call whose cut-off answer went partly to the reader: true when the
// reader started over (it handed nothing on yet), false when a repeat would repeat its effect.
using RestartReader = std::function<bool()>;

// What post() throws when no answer came: ds::Error(unavailable) naming the host and the cause,
// and whether the request may have reached the server (then it may have run: a write's
// outcome is unknown). False only when nothing was sent (refused, DNS, connect timeout).
class NoAnswer : public Error {
 public:
  NoAnswer(const std::string& message, bool may_have_run)
      : Error(Errc::unavailable, message), may_have_run_(may_have_run) {}
  bool may_have_run() const noexcept { return may_have_run_; }

 private:
  bool may_have_run_;
};

class HttpClient {
 public:
  // `host` names the server in messages; `token` goes only into the Authorization header.
  // Of `options` it uses the timeouts, attempts, backoff and size limit.
  HttpClient(std::string host, const Secret& token, const TursoOptions& options);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  // POSTs a JSON body. Returns any HTTP answer (the caller classifies statuses); throws
  // NoAnswer naming the host and the cause when no answer came (refused, DNS, TLS, timeout,
  // reset, an answer over max_response_bytes, blocking I/O abandoned at shutdown). Only this
  // call decides about repeating: libcurl never resends a body by itself (it would, on a
  // reused connection that closed without a byte of answer, although the server may have run
  // the request). A repeat waits at least the answer's Retry-After, and is not made when that
  // would pass the call's deadline.
  HttpReply post(const std::string& url, const std::string& body, Repeat repeat);

  // Like post(), but a 200 answer's body goes to `reader` chunk by chunk instead of being
  // collected (no size limit on the whole: the reader bounds what it keeps); other answers
  // are collected and returned as post() returns them. An answer cut off after part of it
  // went to `reader` is repeated (as `repeat` allows) only when `restart` says so, else it
  // throws NoAnswer. What `reader` throws ends the transfer and is rethrown.
  HttpReply post_streaming(const std::string& url, const std::string& body, Repeat repeat,
                           const BodyReader& reader, const RestartReader& restart);

  // HTTP requests sent so far (every attempt counts).
  std::uint64_t requests_sent() const noexcept { return sent_.load(std::memory_order_relaxed); }
  const std::string& host() const noexcept { return host_; }

 private:
  struct Attempt;
  void* acquire();
  void release(void* handle);
  HttpReply send(const std::string& url, const std::string& body, Repeat repeat,
                 const BodyReader* reader, const RestartReader* restart);
  Attempt perform(void* handle, const std::string& url, const std::string& body,
                  std::chrono::steady_clock::time_point deadline, const BodyReader* reader);
  // Waits `delay` unless blocking I/O is abandoned first; returns false then.
  static bool backoff_wait(std::chrono::milliseconds delay);

  std::string host_;
  TursoOptions options_;
  void* headers_ = nullptr;  // curl_slist*, shared read-only by every handle
  std::mutex mutex_;
  std::vector<void*> idle_;  // CURL* handles that keep their connections alive
  std::atomic<std::uint64_t> sent_{0};
};

}  // namespace ds::db::turso
