#include "http/server.hpp"

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

#include "core/error.hpp"
#include "core/shutdown.hpp"
#include "http/errors.hpp"

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
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

Method to_method(bhttp::verb v) noexcept {
  switch (v) {
    case bhttp::verb::get: return Method::get;
    case bhttp::verb::post: return Method::post;
    case bhttp::verb::put: return Method::put;
    case bhttp::verb::patch: return Method::patch;
    case bhttp::verb::delete_: return Method::del;
    case bhttp::verb::head: return Method::head;
    case bhttp::verb::options: return Method::options;
    default: return Method::other;
  }
}

std::size_t default_io_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

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

// A connection's socket and its idle watchdog. The watchdog's timer is armed once per idle
// period and re-armed only when it wakes early, so a busy keep-alive connection pays a clock
// read per request instead of a timer (re)arm per I/O operation.
struct Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
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
        signals(*iocs.front(), SIGINT, SIGTERM),
        drain_timer(*iocs.front()) {}

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
  std::atomic<bool> stopping{false};

  awaitable<void> accept_loop();
  awaitable<void> session(tcp::socket socket);
  static Response invoke(const Router::Route& route, const Request& request);
  bool runs_on_io_thread(const Router::Route& route) const;
  // Runs the route on the worker pool; the session resumes on its I/O thread.
  awaitable<Response> on_worker(const Router::Route& route, const Request& request);
  void begin_shutdown();
  void drain(Clock::time_point deadline);
  void stop_io();
};

Server::Server(Options options, const Router& router) {
  if (options.io_threads == 0) options.io_threads = default_io_threads();
  if (options.worker_threads == 0) options.worker_threads = std::max<std::size_t>(8, 4 * default_io_threads());
  impl_ = std::make_unique<Impl>(std::move(options), router);
}

Server::~Server() {
  impl_->workers.join();
}

std::uint16_t Server::listen() {
  auto& acc = impl_->acceptor;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) throw Error(Errc::validation, fmt::format("HOST '{}' is not an IP address", impl_->options.host));
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
  s.workers.join();
}

void Server::stop() {
  asio::post(*impl_->iocs.front(), [s = impl_.get()] { s->begin_shutdown(); });
}

void Server::Impl::begin_shutdown() {
  if (stopping.exchange(true)) return;
  boost::system::error_code ignored;
  acceptor.close(ignored);
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
      abandon_blocking_io();  // requests waiting on a silent peer give up now
    }
    stop_io();
    return;
  }
  drain_timer.expires_after(std::chrono::milliseconds(5));
  drain_timer.async_wait([this, deadline](const boost::system::error_code&) { drain(deadline); });
}

awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    asio::io_context& target = *iocs[next_ioc];
    next_ioc = (next_ioc + 1) % iocs.size();
    tcp::socket socket = co_await acceptor.async_accept(target, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping.load() || ec == asio::error::operation_aborted) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(target, session(std::move(socket)), asio::detached);
  }
}

Response Server::Impl::invoke(const Router::Route& route, const Request& request) {
  try {
    return route.handler(request);
  } catch (...) {
    return response_for_current_exception(fmt::format("{} {}", request.method_name, request.path));
  }
}

bool Server::Impl::runs_on_io_thread(const Router::Route& route) const {
  return route.execution == Execution::inline_ ||
         (route.execution == Execution::reads_database && options.reads_never_wait &&
          options.reads_never_wait());
}

awaitable<Response> Server::Impl::on_worker(const Router::Route& route, const Request& request) {
  co_return co_await asio::co_spawn(
      workers.get_executor(), [&]() -> awaitable<Response> { co_return invoke(route, request); },
      use_awaitable);
}

awaitable<void> Server::Impl::session(tcp::socket socket) {
  auto conn = std::make_shared<Connection>(std::move(socket));
  asio::co_spawn(conn->socket.get_executor(), watchdog(conn), asio::detached);
  auto& stream = conn->socket;
  beast::flat_buffer buffer;
  std::string head;  // the response's status line and headers, reused
  boost::system::error_code ec;
  bool linger = false;  // the session ends with unread request bytes on the socket
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    // No body limit while reading the header: Beast would fail a too large Content-Length
    // there as a parse error, before the route is known (404/405 win over 413; 413 is no 400).
    // (Not boost::none: Beast 1.74 compares `length > none` as true.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    conn->deadline = Clock::now() + kIdleTimeout;
    co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream) {
        const Response bad = bad_http_request(fmt::format("Malformed HTTP request: {}", ec.message()));
        write_head(head, 11, bad, /*keep_alive=*/false);
        co_await asio::async_write(stream, buffers(head, bad.body),
                                   asio::redirect_error(use_awaitable, ec));
      }
      break;
    }
    parser.body_limit(options.body_limit);
    in_flight.fetch_add(1);
    struct Done {
      std::atomic<int>& n;
      ~Done() { n.fetch_sub(1); }
    } done{in_flight};

    auto& msg = parser.get();
    const std::string_view target = msg.target();
    const auto qmark = target.find('?');
    Request request;
    request.method = to_method(msg.method());
    request.method_name = msg.method_string();
    request.path = target.substr(0, qmark);
    request.query = qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
    const auto match = router.match(request.method, request.path);
    // Marks the moment a request counts as in flight (tests of graceful shutdown wait for it).
    if (spdlog::should_log(spdlog::level::trace)) {
      spdlog::trace("method={} path={} started", request.method_name, request.path);
    }

    Response response;
    bool keep_open = true;
    auto route_error = [&] {
      return match.path_known ? method_not_allowed(request.method_name, request.path)
                              : route_not_found(request.method_name, request.path);
    };
    const auto declared = parser.content_length();
    if (msg.version() != 10 && msg.version() != 11) {
      response = bad_http_request("Malformed HTTP request: unsupported HTTP version");
      keep_open = false;
    } else if (declared && *declared > options.body_limit) {
      response = match.route != nullptr ? payload_too_large(options.body_limit) : route_error();
      keep_open = false;
    } else {
      if (!parser.is_done()) {
        co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      }
      if (ec == bhttp::error::body_limit) {
        response = match.route != nullptr ? payload_too_large(options.body_limit) : route_error();
        keep_open = false;
      } else if (ec) {
        // A malformed body (bad chunk framing ...) gets a 400; a dropped connection nothing.
        if (ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category() ||
            ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
          break;
        }
        response = bad_http_request(fmt::format("Malformed HTTP request: {}", ec.message()));
        keep_open = false;
      } else if (match.route == nullptr) {
        response = route_error();
      } else {
        request.params = match.params;
        request.content_type = msg[bhttp::field::content_type];
        request.authorization = msg[bhttp::field::authorization];
        request.body = msg.body();
        conn->busy = true;
        // Inline without a coroutine frame: the common case for reads on embedded SQLite.
        if (runs_on_io_thread(*match.route))
          response = invoke(*match.route, request);
        else
          response = co_await on_worker(*match.route, request);
        conn->busy = false;
      }
    }
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("method={} path={} status={}", request.method_name, request.path, response.status);
    }

    const bool keep_alive = keep_open && msg.keep_alive() && !stopping.load();
    write_head(head, msg.version() == 10 ? 10u : 11u, response, keep_alive);
    const std::string_view body = response.status == 204 ? std::string_view{} : response.body;
    conn->deadline = Clock::now() + kIdleTimeout;
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
    conn->deadline = Clock::now() + kLingerTime;
    std::array<char, 16384> sink;
    for (std::size_t discarded = 0; discarded < kLingerBytes;) {
      discarded += co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
      if (ec) break;
    }
  }
  conn->closed = true;
  conn->timer.cancel();
}

}  // namespace ds::http
