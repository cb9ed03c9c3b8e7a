#include "server/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <limits>
#include <thread>
#include <vector>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/shutdown.hpp"
#include "http/errors.hpp"
#include "http/log_excerpt.hpp"
#include "server/beast_method.hpp"
#include "server/fd_limit.hpp"
#include "server/request_metrics.hpp"

namespace ds::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

constexpr auto kIdleTimeout = std::chrono::seconds(60);
// How long and how much of a cut-short request is read and thrown away before closing.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;
constexpr auto kGracePeriod = std::chrono::seconds(10);
// After the grace period (and abandon_blocking_io()), how long workers may still take.
constexpr auto kAbandonWait = std::chrono::seconds(3);
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// A longer request target is answered 414 (it also counts against kHeaderLimit).
constexpr std::size_t kTargetLimit = 8 * 1024;
// accept() failing (no file descriptor left ...): retry after this, doubling to the bound.
constexpr auto kAcceptBackoffMin = std::chrono::milliseconds(50);
constexpr auto kAcceptBackoffMax = std::chrono::milliseconds(1000);
// At most one "accept failed" line per this period, however often episodes start.
constexpr auto kAcceptLogPeriod = std::chrono::seconds(10);

std::size_t default_io_threads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

// The status line and headers of `response` into `out` (reused per connection, so a warm
// connection formats without allocating). The same bytes Beast's serializer would write for
// a string body after keep_alive() and prepare_payload(): Content-Type, Connection when not
// the version's default, Content-Length.
void write_head(std::string& out, unsigned version, const Response& response, bool keep_alive) {
  out.clear();
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  std::array<char, 16> digits{};
  auto end = std::to_chars(digits.data(), digits.data() + digits.size(), response.status).ptr;
  out.append(digits.data(), end);
  out += ' ';
  out += bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
  out += "\r\n";
  if (response.status != 204) {
    out += "Content-Type: ";
    out += response.content_type;
    out += "\r\n";
  }
  out += response.headers;
  if (version >= 11 && !keep_alive) out += "Connection: close\r\n";
  if (version < 11 && keep_alive) out += "Connection: keep-alive\r\n";
  out += "Content-Length: ";
  const std::size_t length = response.status == 204 ? 0 : response.body.size();
  end = std::to_chars(digits.data(), digits.data() + digits.size(), length).ptr;
  out.append(digits.data(), end);
  out += "\r\n\r\n";
}

std::array<asio::const_buffer, 2> buffers(std::string_view head, std::string_view body) {
  return {asio::buffer(head), asio::buffer(body)};
}

// The path (and query) of an absolute-form target ("http://host/p?q", RFC 9112 3.2.2), which
// a server must accept; other targets as they are.
std::string_view origin_form(std::string_view target) noexcept {
  if (target.empty() || target.front() == '/') return target;
  const auto scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos || !(iequals(target.substr(0, scheme_end), "http") ||
                                                iequals(target.substr(0, scheme_end), "https"))) {
    return target;
  }
  const auto path = target.find_first_of("/?", scheme_end + 3);
  if (path == std::string_view::npos || target[path] == '?') return "/";  // an empty path is "/"
  return target.substr(path);
}

// RFC 9112 6.1 and 6.3: a Transfer-Encoding whose last coding is not chunked leaves the body
// length unknown (reading it as "no body" lets the body run as a second request: smuggling),
// and together with Content-Length it is ambiguous; both are 400 and the connection closes.
// Codings before chunked (gzip, ...) are not implemented here: 501 (the RFC's answer for a
// coding the server does not understand) rather than decoding nothing and passing the
// compressed bytes on as the body. Nullopt: the framing is sound.
std::optional<Response> transfer_encoding_error(const bhttp::request<bhttp::string_body>& msg) {
  const auto [first, last] = msg.equal_range(bhttp::field::transfer_encoding);
  if (first == last) return std::nullopt;
  if (msg.version() < 11) {
    return bad_http_request("Malformed HTTP request: Transfer-Encoding is not allowed in HTTP/1.0");
  }
  if (msg.count(bhttp::field::content_length) != 0) {
    return bad_http_request(
        "Malformed HTTP request: Transfer-Encoding together with Content-Length");
  }
  std::string_view final_coding;
  bool chunked_before_final = false;
  bool other_coding = false;
  for (auto it = first; it != last; ++it) {
    std::string_view list = it->value();
    while (!list.empty()) {
      const auto comma = list.find(',');
      std::string_view coding = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      coding = coding.substr(0, coding.find(';'));
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
        coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
        coding.remove_suffix(1);
      if (coding.empty()) continue;
      if (!final_coding.empty()) {
        if (iequals(final_coding, "chunked"))
          chunked_before_final = true;
        else
          other_coding = true;
      }
      final_coding = coding;
    }
  }
  if (!iequals(final_coding, "chunked") || chunked_before_final) {
    return bad_http_request(
        "Malformed HTTP request: the final Transfer-Encoding must be chunked, once");
  }
  if (other_coding) {
    return status_error(
        501, "Transfer-Encoding other than chunked is not supported: send the body uncompressed");
  }
  return std::nullopt;
}

// 414 when the request line alone passes the header limit (the parser has not got the
// target yet), else 431.
Response header_too_large(const bhttp::request_parser<bhttp::string_body>& parser) {
  if (parser.get().target().empty()) {
    return status_error(414,
                        fmt::format("The request target is longer than {} bytes", kTargetLimit));
  }
  return status_error(431,
                      fmt::format("The request headers are larger than {} bytes", kHeaderLimit));
}

// A connection's socket and its idle watchdog. The watchdog's timer is armed once per idle
// period and re-armed only when it wakes early, so a busy keep-alive connection pays a clock
// read per request instead of a timer (re)arm per I/O operation.
struct Connection {
  Connection(tcp::socket s, std::function<void()> on_close)
      : slot{std::move(on_close)}, socket(std::move(s)), timer(socket.get_executor()) {}
  // Declared first, destroyed last: counts the connection as gone once its socket is closed.
  struct Slot {
    std::function<void()> release;
    ~Slot() { release(); }
  } slot;
  tcp::socket socket;
  asio::steady_timer timer;
  Clock::time_point deadline = Clock::now() + kIdleTimeout;
  bool busy = false;    // a handler runs: the connection is not idle
  bool closed = false;  // the session is over: the watchdog stops
};

// Closes the socket once the connection has been idle past its deadline; this cancels the
// pending read or write, which ends the session. Runs on the connection's (single) thread.
awaitable<void> watchdog(std::shared_ptr<Connection> c) {
  boost::system::error_code ec;
  while (!c->closed) {
    c->timer.expires_at(c->busy ? Clock::now() + kIdleTimeout : c->deadline);
    co_await c->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (c->closed) break;
    if (!c->busy && Clock::now() >= c->deadline) {
      c->socket.close(ec);
      break;
    }
  }
}

}  // namespace

struct Server::Impl {
  Impl(Options o, const Router& r)
      : options(std::move(o)),
        router(r),
        iocs(make_io_contexts(options.io_threads)),
        workers(options.worker_threads),
        acceptor(*iocs.front()),
        // SIGHUP drains like SIGTERM: a closed terminal or a supervisor's hang-up must not
        // cut requests short, and the server has no configuration to reload.
        signals(*iocs.front(), SIGINT, SIGTERM, SIGHUP),
        drain_timer(*iocs.front()),
        accept_wakeup(*iocs.front()),
        request_metrics(r, in_flight) {}

  // One io_context per I/O thread, each run by exactly that thread (concurrency hint 1): a
  // connection stays on one thread, so its handlers never contend for the scheduler.
  static std::vector<std::unique_ptr<asio::io_context>> make_io_contexts(std::size_t n) {
    std::vector<std::unique_ptr<asio::io_context>> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(std::make_unique<asio::io_context>(1));
    return v;
  }

  Options options;
  const Router& router;
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  asio::thread_pool workers;
  tcp::acceptor acceptor;  // on iocs[0], with the signals and the drain timer
  asio::signal_set signals;
  asio::steady_timer drain_timer;
  std::size_t next_ioc = 0;  // round-robin; touched by the accept loop only
  std::atomic<int> in_flight{0};
  std::atomic<int> on_workers{0};  // handlers started on the worker pool, not yet returned
  std::atomic<bool> stopping{false};
  std::size_t max_connections = 0;
  std::atomic<std::size_t> connections{0};
  asio::steady_timer accept_wakeup;  // accept waits on it: at the cap, or backing off
  Clock::time_point last_accept_log{};
  RequestMetrics request_metrics;

  void release_connection();
  awaitable<void> wait_accept(Clock::duration d);

  awaitable<void> accept_loop();
  awaitable<void> session(tcp::socket socket);
  awaitable<void> serve(Connection& conn);
  static Response invoke(const Router::Route& route, const Request& request);
  bool runs_on_io_thread(const Router::Route& route) const;
  // Runs the route on the worker pool; the session resumes on its I/O thread.
  awaitable<Response> on_worker(const Router::Route& route, const Request& request);
  Response route_error(const Request& request, const Router::Match& match) const {
    return match.path_known ? method_not_allowed(request.method_name, request.path,
                                                 router.allowed_methods(request.path))
                            : route_not_found(request.method_name, request.path);
  }
  static bool expects_continue(const bhttp::request<bhttp::string_body>& msg) {
    if (msg.version() < 11) return false;
    const auto it = msg.find(bhttp::field::expect);
    return it != msg.end() && iequals(it->value(), "100-continue");
  }
  void begin_shutdown();
  void drain(Clock::time_point deadline);
  void stop_io();
};

Server::Server(Options options, const Router& router) {
  if (options.io_threads == 0) options.io_threads = default_io_threads();
  if (options.worker_threads == 0)
    options.worker_threads = std::max<std::size_t>(8, 4 * default_io_threads());
  impl_ = std::make_unique<Impl>(std::move(options), router);
}

Server::~Server() {
  impl_->workers.join();
}

std::uint16_t Server::listen() {
  const std::size_t fd_limit = raise_fd_limit();
  impl_->max_connections = impl_->options.max_connections != 0 ? impl_->options.max_connections
                                                               : default_max_connections(fd_limit);
  spdlog::info("fd_limit={} max_connections={}", fd_limit, impl_->max_connections);
  auto& acc = impl_->acceptor;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec)
    throw Error(Errc::validation,
                fmt::format("HOST '{}' is not an IP address", impl_->options.host));
  const tcp::endpoint endpoint(address, impl_->options.port);
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error(Errc::io, fmt::format("cannot listen on {}:{}: {}", impl_->options.host,
                                      impl_->options.port, ec.message()));
  }
  return acc.local_endpoint().port();
}

void Server::run() {
  Impl& s = *impl_;
  s.signals.async_wait([&s](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal={} stopping: no new connections, finishing in-flight requests", sig);
    s.begin_shutdown();
  });
  asio::co_spawn(*s.iocs.front(), s.accept_loop(), asio::detached);
  // The other io_contexts have no work until a connection arrives: keep them running.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.iocs.size(); ++i) {
    guards.push_back(asio::make_work_guard(*s.iocs[i]));
    threads.emplace_back([&s, i] { s.iocs[i]->run(); });
  }
  s.iocs.front()->run();
  for (auto& t : threads) t.join();
  // Handlers still on the worker pool were told to give up (abandon_blocking_io); one that
  // does not cannot be interrupted, and must not hold the exit forever.
  const auto give_up = Clock::now() + kAbandonWait;
  while (s.on_workers.load() != 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (s.on_workers.load() != 0) {
    spdlog::error("requests={} still running after the grace period: exiting without them",
                  s.on_workers.load());
    spdlog::default_logger()->flush();
    std::fflush(nullptr);
    std::_Exit(1);
  }
  s.workers.join();
}

void Server::stop() {
  asio::post(*impl_->iocs.front(), [s = impl_.get()] { s->begin_shutdown(); });
}

void Server::Impl::begin_shutdown() {
  if (stopping.exchange(true)) return;
  boost::system::error_code ignored;
  acceptor.close(ignored);
  accept_wakeup.cancel();
  signals.cancel(ignored);
  drain(Clock::now() + kGracePeriod);
}

void Server::Impl::stop_io() {
  for (auto& ioc : iocs) ioc->stop();  // idle keep-alive connections end here
}

void Server::Impl::drain(Clock::time_point deadline) {
  if (in_flight.load() == 0 || Clock::now() >= deadline) {
    if (in_flight.load() != 0) {
      spdlog::warn("in_flight={} grace period over, closing", in_flight.load());
      abandon_blocking_io();  // a worker waiting on a silent peer gives up now
    }
    stop_io();
    return;
  }
  drain_timer.expires_after(std::chrono::milliseconds(5));
  drain_timer.async_wait([this, deadline](const boost::system::error_code&) { drain(deadline); });
}

// Runs on iocs[0]; the last connection over the cap wakes the accept loop there.
void Server::Impl::release_connection() {
  if (connections.fetch_sub(1) == max_connections) {
    asio::post(*iocs.front(), [this] { accept_wakeup.cancel(); });
  }
}

awaitable<void> Server::Impl::wait_accept(Clock::duration d) {
  boost::system::error_code ec;
  accept_wakeup.expires_after(d);
  co_await accept_wakeup.async_wait(asio::redirect_error(use_awaitable, ec));
}

awaitable<void> Server::Impl::accept_loop() {
  auto backoff = Clock::duration(kAcceptBackoffMin);
  std::size_t failures = 0;  // of the current episode
  for (;;) {
    // At the cap, new connections wait in the listen backlog: accept() would only take a
    // descriptor the database may need.
    while (connections.load() >= max_connections && !stopping.load())
      co_await wait_accept(std::chrono::hours(1));
    if (stopping.load()) co_return;
    boost::system::error_code ec;
    asio::io_context& target = *iocs[next_ioc];
    next_ioc = (next_ioc + 1) % iocs.size();
    tcp::socket socket =
        co_await acceptor.async_accept(target, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping.load() || ec == asio::error::operation_aborted) co_return;
      // No descriptor left (EMFILE/ENFILE), no memory ...: retrying at once would spin and
      // flood the log. Back off, and say so once per episode.
      if (failures++ == 0 && Clock::now() - last_accept_log >= kAcceptLogPeriod) {
        last_accept_log = Clock::now();
        spdlog::warn(
            "accept failed: {}; retrying with backoff (open connections={}, max_connections={})",
            ec.message(), connections.load(), max_connections);
      }
      co_await wait_accept(backoff);
      backoff = std::min<Clock::duration>(backoff * 2, kAcceptBackoffMax);
      continue;
    }
    if (failures != 0) {
      spdlog::info("accept recovered after {} failed attempts", failures);
      failures = 0;
      backoff = kAcceptBackoffMin;
    }
    connections.fetch_add(1);
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(target, session(std::move(socket)), asio::detached);
  }
}

Response Server::Impl::invoke(const Router::Route& route, const Request& request) {
  try {
    return route.handler(request);
  } catch (...) {
    return response_for_current_exception(
        fmt::format("{} {}", request.method_name, log_excerpt(request.path)));
  }
}

bool Server::Impl::runs_on_io_thread(const Router::Route& route) const {
  return route.execution == Execution::inline_ ||
         (route.execution == Execution::reads_database && options.reads_never_wait &&
          options.reads_never_wait());
}

awaitable<Response> Server::Impl::on_worker(const Router::Route& route, const Request& request) {
  co_return co_await asio::co_spawn(
      workers.get_executor(),
      [&]() -> awaitable<Response> {
        on_workers.fetch_add(1);
        struct Done {
          std::atomic<int>& n;
          ~Done() { n.fetch_sub(1); }
        } done{on_workers};
        co_return invoke(route, request);
      },
      use_awaitable);
}

awaitable<void> Server::Impl::session(tcp::socket socket) {
  auto conn = std::make_shared<Connection>(std::move(socket), [this] { release_connection(); });
  asio::co_spawn(conn->socket.get_executor(), watchdog(conn), asio::detached);
  try {
    co_await serve(*conn);
  } catch (...) {
    // serve() answers every request's failure itself; what lands here (no memory ...) is
    // logged and ends the connection, never silently.
    try {
      throw;
    } catch (const std::exception& e) {
      spdlog::error("connection ended by an unexpected error: {}", log_excerpt(e.what()));
    } catch (...) {
      spdlog::error("connection ended by an unexpected error");
    }
  }
  boost::system::error_code ec;
  conn->socket.close(ec);
  conn->closed = true;
  conn->timer.cancel();
}

awaitable<void> Server::Impl::serve(Connection& conn) {
  auto& stream = conn.socket;
  beast::flat_buffer buffer;
  std::string head;  // the response's status line and headers, reused
  std::array<std::string, PathParams::kMax> decoded_params;  // reused
  boost::system::error_code ec;
  bool linger = false;  // the session ends with unread request bytes on the socket
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    // No body limit while reading the header: Beast would fail a too large Content-Length
    // there as a parse error, before the route is known (404/405 win over 413; 413 is no 400).
    // (Not boost::none: Beast 1.74 compares `length > none` as true.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    conn.deadline = Clock::now() + kIdleTimeout;
    co_await bhttp::async_read_header(stream, buffer, parser,
                                      asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
          ec != bhttp::error::end_of_stream) {
        const Response bad =
            ec == bhttp::error::header_limit
                ? header_too_large(parser)
                : bad_http_request(fmt::format("Malformed HTTP request: {}", ec.message()));
        write_head(head, 11, bad, /*keep_alive=*/false);
        co_await asio::async_write(stream, buffers(head, bad.body),
                                   asio::redirect_error(use_awaitable, ec));
      }
      break;
    }
    parser.body_limit(options.body_limit);
    const auto started = Clock::now();
    in_flight.fetch_add(1);
    struct Done {
      std::atomic<int>& n;
      ~Done() { n.fetch_sub(1); }
    } done{in_flight};

    auto& msg = parser.get();
    Response response;
    bool keep_open = true;
    Request request;
    Router::Match match;
    const std::string_view origin = msg[bhttp::field::origin];
    // A CORS preflight is answered before route, size, auth and body rules (api.md).
    const bool preflight = msg.method() == bhttp::verb::options && !origin.empty() &&
                           msg.count(bhttp::field::access_control_request_method) != 0;
    // Everything that can throw while answering (a body built from hostile bytes ...) is
    // caught here and answered 500: a request always gets an answer.
    bool need_body = false;
    try {
      const std::string_view target = origin_form(msg.target());
      const auto qmark = target.find('?');
      request.method = to_method(msg.method());
      request.method_name = msg.method_string();
      request.path = target.substr(0, qmark);
      request.query =
          qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
      match = router.match(request.method, request.path);
      // Marks the moment a request counts as in flight (tests of graceful shutdown wait for it).
      if (spdlog::should_log(spdlog::level::trace)) {
        spdlog::trace("method={} path={} started", request.method_name, log_excerpt(request.path));
      }
      const auto declared = parser.content_length();
      if (msg.version() != 10 && msg.version() != 11) {
        response = bad_http_request("Malformed HTTP request: unsupported HTTP version");
        keep_open = false;
      } else if (auto framing = transfer_encoding_error(msg)) {
        response = std::move(*framing);
        keep_open = false;
      } else if (msg.target().size() > kTargetLimit) {
        response = status_error(
            414, fmt::format("The request target is longer than {} bytes", kTargetLimit));
        keep_open = false;
      } else if (msg.version() == 11 ? msg.count(bhttp::field::host) != 1
                                     : msg.count(bhttp::field::host) > 1) {
        // RFC 9112 3.2: an HTTP/1.1 request has exactly one Host.
        response = bad_http_request(
            "Malformed HTTP request: an HTTP/1.1 request needs exactly one Host header");
        keep_open = false;
      } else if (preflight) {
        response =
            options.cors.preflight(origin, msg[bhttp::field::access_control_request_headers]);
        need_body = !parser.is_done();
      } else if (declared && *declared > options.body_limit) {
        response = match.route != nullptr ? payload_too_large(options.body_limit)
                                          : route_error(request, match);
        keep_open = false;
      } else if (!parser.is_done() && match.route == nullptr && expects_continue(msg)) {
        // The client waits for a go-ahead before sending a body we would refuse: refuse now.
        response = route_error(request, match);
        keep_open = false;
      } else {
        need_body = !parser.is_done();
      }
    } catch (...) {
      response = response_for_current_exception("reading a request");
      keep_open = false;
    }
    if (need_body) {
      if (expects_continue(msg)) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        co_await asio::async_write(stream, asio::buffer(kContinue),
                                   asio::redirect_error(use_awaitable, ec));
        if (ec) break;
      }
      co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    }
    if (keep_open) {
      bool dispatch = false;
      try {
        if (ec == bhttp::error::body_limit) {
          response = match.route != nullptr ? payload_too_large(options.body_limit)
                                            : route_error(request, match);
          keep_open = false;
        } else if (ec) {
          // A malformed body (bad chunk framing ...) gets a 400; a dropped connection nothing.
          if (ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category() ||
              ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
            break;
          }
          response = bad_http_request(fmt::format("Malformed HTTP request: {}", ec.message()));
          keep_open = false;
        } else if (preflight) {
          // answered above; its body (if any) was read and is ignored
        } else if (match.route == nullptr) {
          response = route_error(request, match);
        } else if (!match.params.decode(decoded_params)) {
          // After the route (404/405) and the size (413), before the handler: a path that
          // cannot be decoded is a malformed request, whatever the route would check.
          response = bad_http_request(
              "Malformed request target: a path parameter has an invalid %-escape or is not UTF-8");
        } else {
          request.params = match.params;
          request.content_type = msg[bhttp::field::content_type];
          request.authorization = msg[bhttp::field::authorization];
          request.body = msg.body();
          dispatch = true;
        }
      } catch (...) {
        response = response_for_current_exception("reading a request");
        keep_open = false;
      }
      if (dispatch) {
        conn.busy = true;
        // Inline without a coroutine frame: the common case for reads on embedded SQLite.
        if (runs_on_io_thread(*match.route))
          response = invoke(*match.route, request);
        else
          response = co_await on_worker(*match.route, request);
        conn.busy = false;
      }
    }
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("method={} path={} status={}", request.method_name, log_excerpt(request.path),
                    response.status);
    }

    request_metrics.record(match.route, request.method, response.status, Clock::now() - started);
    options.cors.add_headers(response, origin);
    const bool keep_alive = keep_open && msg.keep_alive() && !stopping.load();
    write_head(head, msg.version() == 10 ? 10u : 11u, response, keep_alive);
    // HEAD: the head a GET would get (its Content-Length too), without the body.
    const bool no_body = response.status == 204 || request.method == Method::head;
    const std::string_view body = no_body ? std::string_view{} : response.body;
    conn.deadline = Clock::now() + kIdleTimeout;
    co_await asio::async_write(stream, buffers(head, body),
                               asio::redirect_error(use_awaitable, ec));
    if (ec || !keep_alive) {
      linger = !ec && !keep_open;
      break;
    }
  }
  stream.shutdown(tcp::socket::shutdown_send, ec);
  if (linger) {
    // We answered before reading the whole request (413, malformed body): closing now, with
    // its rest unread, would make the kernel send a reset that can destroy our answer in the
    // client's buffers. Discard what still comes, for a bounded time and size (as nginx's
    // lingering close); the watchdog closes the socket at the deadline.
    conn.deadline = Clock::now() + kLingerTime;
    std::array<char, 16384> sink;
    for (std::size_t discarded = 0; discarded < kLingerBytes;) {
      discarded += co_await stream.async_read_some(asio::buffer(sink),
                                                   asio::redirect_error(use_awaitable, ec));
      if (ec) break;
    }
  }
}

}  // namespace ds::http
