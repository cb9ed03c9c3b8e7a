#include "db/turso/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>
#include <thread>

#include "core/error.hpp"

namespace ds::db::turso {
namespace {

constexpr std::size_t kMaxIdleHandles = 8;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

bool never_reached_server(CURLcode rc) noexcept {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY;
}

bool transient_status(long status) noexcept {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

std::string describe(CURLcode rc, const char* errbuf, const HttpOptions& options) {
  const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: return "DNS lookup failed (" + detail + ")";
    case CURLE_COULDNT_CONNECT: return "connection refused or unreachable (" + detail + ")";
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format("timed out (connect {} ms, total {} ms): {}", options.connect_timeout.count(),
                         options.total_timeout.count(), detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR: return "TLS failed (" + detail + ")";
    default: return detail;
  }
}

}  // namespace

struct HttpClient::Attempt {
  CURLcode rc = CURLE_OK;
  HttpReply reply;
  std::string cause;
};

HttpClient::HttpClient(std::string host, const Secret& token, HttpOptions options)
    : host_(std::move(host)), options_(options) {
  global_init();
  curl_slist* list = nullptr;
  list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Accept: application/json");
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (!token.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + token.reveal()).c_str());
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
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
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

HttpClient::Attempt HttpClient::perform(void* handle, const std::string& url, const std::string& body) {
  CURL* h = static_cast<CURL*>(handle);
  Attempt a;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  // A known size: curl sends Content-Length, never a chunked body.
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.reply.body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  sent_.fetch_add(1, std::memory_order_relaxed);
  a.rc = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  if (a.rc == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.reply.status);
  } else {
    a.cause = describe(a.rc, errbuf, options_);
  }
  return a;
}

HttpReply HttpClient::post(const std::string& url, const std::string& body, Repeat repeat) {
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
    Attempt a = perform(handle, url, body);
    bool may_repeat = false;
    if (a.rc != CURLE_OK) {
      may_repeat = repeat == Repeat::always || (repeat == Repeat::if_not_sent && never_reached_server(a.rc));
    } else {
      may_repeat = repeat == Repeat::always && transient_status(a.reply.status);
    }
    if (!may_repeat || attempt >= attempts) {
      if (a.rc != CURLE_OK) {
        throw Error(Errc::unavailable, fmt::format("Turso at {} cannot be reached: {}", host_, a.cause));
      }
      return std::move(a.reply);
    }
    const auto wait = backoff + std::chrono::milliseconds(jitter() % (backoff.count() / 2 + 1));
    spdlog::debug("turso host={} attempt={} failed ({}), retrying in {} ms", host_, attempt,
                  a.rc != CURLE_OK ? a.cause : fmt::format("HTTP {}", a.reply.status), wait.count());
    std::this_thread::sleep_for(wait);
    backoff *= 2;
  }
}

}  // namespace ds::db::turso
