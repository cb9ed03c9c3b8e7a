#include "db/turso/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <random>
#include <thread>

#include "core/error.hpp"
#include "core/metrics.hpp"
#include "core/shutdown.hpp"

namespace ds::db::turso {
namespace {

constexpr std::size_t kMaxIdleHandles = 8;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using Clock = std::chrono::steady_clock;

// The one bounded reader of every answer: past `limit` bytes it stops the transfer
// (CURLE_WRITE_ERROR) instead of buffering an answer of any size.
// With a reader, a 200 answer's body goes to it instead (decided at its first byte, when the
// status is known); exceptions cannot cross libcurl, so the reader's is kept for the caller.
struct BodySink {
  std::string* out;
  std::size_t limit;
  bool exceeded = false;
  const BodyReader* reader = nullptr;
  CURL* handle = nullptr;
  std::optional<bool> to_reader{};
  std::size_t read_bytes = 0;  // handed to the reader
  bool stopped = false;
  std::exception_ptr failure{};
};

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto& sink = *static_cast<BodySink*>(user);
  const std::size_t bytes = size * n;
  if (sink.reader != nullptr && !sink.to_reader) {
    long status = 0;
    curl_easy_getinfo(sink.handle, CURLINFO_RESPONSE_CODE, &status);
    sink.to_reader = status == 200;
  }
  if (sink.to_reader.value_or(false)) {
    try {
      sink.read_bytes += bytes;
      if ((*sink.reader)(std::string_view(data, bytes))) return bytes;
      sink.stopped = true;
    } catch (...) {
      sink.failure = std::current_exception();
    }
    return 0;
  }
  if (bytes > sink.limit - sink.out->size()) {
    sink.exceeded = true;
    return 0;
  }
  sink.out->append(data, bytes);
  return bytes;
}

// The request body, handed to libcurl through a read callback without a seek callback: libcurl
// cannot rewind it, so it cannot resend it on its own (CURLE_SEND_FAIL_REWIND instead). With
// CURLOPT_POSTFIELDS it would silently repeat a POST whose reused connection closed without
// an answer, which may be a write the server already ran.
struct BodySource {
  const std::string* body;
  std::size_t offset = 0;
};

std::size_t read_body(char* out, std::size_t size, std::size_t n, void* user) {
  auto& src = *static_cast<BodySource*>(user);
  const std::size_t bytes = std::min(size * n, src.body->size() - src.offset);
  std::copy_n(src.body->data() + src.offset, bytes, out);
  src.offset += bytes;
  return bytes;
}

// Called by libcurl about once a second even while the peer is silent: the way a hung
// transfer learns that the server's grace period is over.
int abort_when_abandoned(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return blocking_io_abandoned() ? 1 : 0;
}

long remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max<long>(1, static_cast<long>(left.count()));
}

std::string size_text(std::size_t bytes) {
  if (bytes % (std::size_t{1} << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  return fmt::format("{} bytes", bytes);
}

bool never_reached_server(CURLcode rc) noexcept {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
         rc == CURLE_COULDNT_RESOLVE_PROXY;
}

bool transient_status(long status) noexcept {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

std::string describe(CURLcode rc, const char* errbuf, const TursoOptions& options) {
  const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "DNS lookup failed (" + detail + ")";
    case CURLE_COULDNT_CONNECT:
      return "connection refused or unreachable (" + detail + ")";
    case CURLE_SEND_FAIL_REWIND:
      return "the connection closed before any answer came";
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format(
          "timed out (TURSO_CONNECT_TIMEOUT_MS={}, TURSO_TIMEOUT_MS={} for the whole call, "
          "retries included): {}",
          options.connect_timeout.count(), options.total_timeout.count(), detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return "TLS failed (" + detail + ")";
    default:
      return detail;
  }
}

}  // namespace

struct HttpClient::Attempt {
  CURLcode rc = CURLE_OK;
  HttpReply reply;
  std::string cause;
  bool final = false;         // never repeated: too large, or abandoned
  bool may_have_run = false;  // the request (or part of it) was sent: the server may have run it
  bool read_started = false;  // part of a 200 answer went to the reader
  std::exception_ptr failure;  // what the reader threw
};

HttpClient::HttpClient(std::string host, const Secret& token, const TursoOptions& options)
    : host_(std::move(host)), options_(options) {
  global_init();
  curl_slist* list = nullptr;
  list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Accept: application/json");
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (!token.empty())
    list = curl_slist_append(list, ("Authorization: Bearer " + token.reveal()).c_str());
  if (options.encryption_key && !options.encryption_key->empty()) {
    list = curl_slist_append(
        list, ("x-turso-encryption-key: " + options.encryption_key->reveal()).c_str());
  }
  if (list == nullptr) throw Error(Errc::internal, "out of memory building HTTP headers");
  headers_ = list;
}

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_slist_free_all(static_cast<curl_slist*>(headers_));
}

void* HttpClient::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (h == nullptr) throw Error(Errc::internal, "curl_easy_init failed");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(headers_));
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // never carry the token elsewhere
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_when_abandoned);
  return h;
}

void HttpClient::release(void* handle) {
  {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

HttpClient::Attempt HttpClient::perform(void* handle, const std::string& url,
                                        const std::string& body, Clock::time_point deadline,
                                        const BodyReader* reader) {
  CURL* h = static_cast<CURL*>(handle);
  Attempt a;
  BodySink sink{
      .out = &a.reply.body, .limit = options_.max_response_bytes, .reader = reader, .handle = h};
  char errbuf[CURL_ERROR_SIZE] = {};
  const long left = remaining_ms(deadline);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  // A known size: curl sends Content-Length, never a chunked body.
  BodySource source{&body};
  curl_easy_setopt(h, CURLOPT_READDATA, &source);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  // This attempt gets what is left of the call's deadline, never a fresh full timeout.
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   std::min(left, static_cast<long>(options_.connect_timeout.count())));
  sent_.fetch_add(1, std::memory_order_relaxed);
  a.rc = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_READDATA, nullptr);
  long request_bytes = 0;
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes);
  a.may_have_run = !never_reached_server(a.rc) &&
                   (request_bytes > 0 || source.offset > 0 || a.rc == CURLE_SEND_FAIL_REWIND);
  a.read_started = sink.read_bytes > 0;
  a.failure = sink.failure;
  if (a.rc == CURLE_OK || sink.stopped || sink.failure) {
    a.final = a.rc != CURLE_OK;
    a.reply.stopped = sink.stopped;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.reply.status);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
      a.reply.retry_after_s = static_cast<long>(retry_after);
  } else if (sink.exceeded) {
    a.final = true;  // the same question would get the same answer
    a.reply.body = std::string();
    a.cause = fmt::format(
        "its answer is larger than the {} limit and was dropped; raise TURSO_MAX_RESPONSE_BYTES "
        "if answers this large are expected, or read fewer rows at a time",
        size_text(options_.max_response_bytes));
  } else if (a.rc == CURLE_ABORTED_BY_CALLBACK) {
    a.final = true;
    a.cause = "the request was abandoned: the server is shutting down";
  } else if (a.read_started) {
    a.cause = fmt::format("its answer was cut off after {} bytes ({})", sink.read_bytes,
                          describe(a.rc, errbuf, options_));
  } else {
    a.cause = describe(a.rc, errbuf, options_);
  }
  return a;
}

bool HttpClient::backoff_wait(std::chrono::milliseconds delay) {
  // abandon_blocking_io() is raised from a signal handler, which cannot notify a condition
  // variable: short slices bound how late the wait notices it.
  constexpr std::chrono::milliseconds kSlice{20};
  const auto until = Clock::now() + delay;
  while (!blocking_io_abandoned()) {
    const auto now = Clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(kSlice, until - now));
  }
  return false;
}

namespace {

// Round trips of every Turso client in the process (GET /metrics).
struct WireMetrics {
  metrics::Counter& requests;
  metrics::Counter& retries;
  metrics::Counter& no_answer;
  metrics::Counter& error_status;
};

WireMetrics& wire_metrics() {
  auto& r = metrics::Registry::process();
  static WireMetrics m{
      r.counter("deploystack_turso_http_requests_total", "HTTP requests sent to Turso servers"),
      r.counter("deploystack_turso_http_retries_total",
                "HTTP requests to Turso servers that repeated a failed one"),
      r.counter("deploystack_turso_http_errors_total",
                "HTTP requests to Turso servers that failed, by cause", {{"cause", "no_answer"}}),
      r.counter("deploystack_turso_http_errors_total",
                "HTTP requests to Turso servers that failed, by cause",
                {{"cause", "error_status"}})};
  return m;
}

}  // namespace

HttpReply HttpClient::post(const std::string& url, const std::string& body, Repeat repeat) {
  return send(url, body, repeat, nullptr, nullptr);
}

HttpReply HttpClient::post_streaming(const std::string& url, const std::string& body, Repeat repeat,
                                     const BodyReader& reader, const RestartReader& restart) {
  return send(url, body, repeat, &reader, &restart);
}

HttpReply HttpClient::send(const std::string& url, const std::string& body, Repeat repeat,
                           const BodyReader* reader, const RestartReader* restart) {
  auto& wire = wire_metrics();
  const auto unavailable = [this](const std::string& cause, bool may_have_run = false) {
    return NoAnswer(fmt::format("Turso at {} cannot be reached: {}", host_, cause), may_have_run);
  };
  if (blocking_io_abandoned())
    throw unavailable("the request was abandoned: the server is shutting down");
  const auto deadline = Clock::now() + options_.total_timeout;
  void* handle = acquire();
  struct Release {
    HttpClient& self;
    void* handle;
    ~Release() { self.release(handle); }
  } guard{*this, handle};

  const int attempts = repeat == Repeat::never ? 1 : std::max(1, options_.max_attempts);
  auto backoff = options_.first_backoff;
  thread_local std::minstd_rand jitter{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    wire.requests.add();
    if (attempt > 1) wire.retries.add();
    Attempt a = perform(handle, url, body, deadline, reader);
    if (a.rc != CURLE_OK) {
      wire.no_answer.add();
    } else if (a.reply.status >= 400) {
      wire.error_status.add();
    }
    if (a.failure) std::rethrow_exception(a.failure);
    if (a.reply.stopped || (a.read_started && a.rc == CURLE_OK)) return std::move(a.reply);
    bool may_repeat = false;
    if (a.rc != CURLE_OK) {
      may_repeat = !a.final && (repeat == Repeat::always ||
                                (repeat == Repeat::if_not_sent && never_reached_server(a.rc)));
    } else {
      may_repeat = repeat == Repeat::always && transient_status(a.reply.status);
    }
    auto wait = backoff + std::chrono::milliseconds(jitter() % (backoff.count() / 2 + 1));
    // A server that says when to come back refuses an earlier retry anyway.
    if (a.rc == CURLE_OK && a.reply.retry_after_s)
      wait =
          std::max<std::chrono::milliseconds>(wait, std::chrono::seconds(*a.reply.retry_after_s));
    // A retry that could not finish before the deadline is not worth starting: it must have at
    // least a tenth of the call's budget left after its backoff (an attempt that timed out
    // used up the deadline, give or take curl's timer granularity, and is not repeated).
    const bool time_left = Clock::now() + wait + options_.total_timeout / 10 < deadline;
    if (!may_repeat || attempt >= attempts || !time_left) {
      if (a.rc != CURLE_OK) throw unavailable(a.cause, a.may_have_run);
      return std::move(a.reply);
    }
    // Cut off after part of it went to the reader: repeated only if the reader can start over.
    if (a.read_started && !(restart != nullptr && (*restart)()))
      throw unavailable(a.cause, a.may_have_run);
    spdlog::debug("turso host={} attempt={} failed ({}), retrying in {} ms", host_, attempt,
                  a.rc != CURLE_OK ? a.cause : fmt::format("HTTP {}", a.reply.status),
                  wait.count());
    if (!backoff_wait(wait))
      throw unavailable("the request was abandoned: the server is shutting down");
    backoff *= 2;
  }
}

}  // namespace ds::db::turso
