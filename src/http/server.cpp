#include "http/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "http/errors.hpp"

namespace ds::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

constexpr auto kIdleTimeout = std::chrono::seconds(60);
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

}  // namespace

struct Server::Impl {
  Impl(Options o, const Router& r)
      : options(std::move(o)),
        router(r),
        ioc(static_cast<int>(options.io_threads)),
        workers(options.worker_threads),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM),
        drain_timer(ioc) {}

  Options options;
  const Router& router;
  asio::io_context ioc;
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer drain_timer;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};

  awaitable<void> accept_loop();
  awaitable<void> session(tcp::socket socket);
  awaitable<Response> handle(const Router::Route& route, Request& request);
  void begin_shutdown();
  void drain(std::chrono::steady_clock::time_point deadline);
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
  asio::co_spawn(s.ioc, s.accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.options.io_threads; ++i) threads.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (auto& t : threads) t.join();
  s.workers.join();
}

void Server::stop() {
  asio::post(impl_->ioc, [s = impl_.get()] { s->begin_shutdown(); });
}

void Server::Impl::begin_shutdown() {
  if (stopping.exchange(true)) return;
  boost::system::error_code ignored;
  acceptor.close(ignored);
  signals.cancel(ignored);
  drain(std::chrono::steady_clock::now() + kGracePeriod);
}

void Server::Impl::drain(std::chrono::steady_clock::time_point deadline) {
  if (in_flight.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (in_flight.load() != 0) spdlog::warn("in_flight={} grace period over, closing", in_flight.load());
    ioc.stop();  // idle keep-alive connections end here
    return;
  }
  drain_timer.expires_after(std::chrono::milliseconds(5));
  drain_timer.async_wait([this, deadline](const boost::system::error_code&) { drain(deadline); });
}

awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping.load() || ec == asio::error::operation_aborted) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
  }
}

awaitable<Response> Server::Impl::handle(const Router::Route& route, Request& request) {
  auto invoke = [&route, &request]() -> Response {
    try {
      return route.handler(request);
    } catch (...) {
      return response_for_current_exception(fmt::format("{} {}", request.method_name, request.path));
    }
  };
  if (route.execution == Execution::inline_) co_return invoke();
  co_return co_await asio::co_spawn(
      workers.get_executor(), [&]() -> awaitable<Response> { co_return invoke(); }, use_awaitable);
}

awaitable<void> Server::Impl::session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(options.body_limit);
    stream.expires_after(kIdleTimeout);
    co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream) {
        Response bad = bad_http_request(fmt::format("Malformed HTTP request: {}", ec.message()));
        bhttp::response<bhttp::string_body> out{bhttp::status::bad_request, 11};
        out.set(bhttp::field::content_type, bad.content_type);
        out.body() = std::move(bad.body);
        out.keep_alive(false);
        out.prepare_payload();
        co_await bhttp::async_write(stream, out, asio::redirect_error(use_awaitable, ec));
      }
      break;
    }
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

    Response response;
    bool keep_open = true;
    auto route_error = [&] {
      return match.path_known ? method_not_allowed(request.method_name, request.path)
                              : route_not_found(request.method_name, request.path);
    };
    const auto declared = parser.content_length();
    if (declared && *declared > options.body_limit) {
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
        break;
      } else if (match.route == nullptr) {
        response = route_error();
      } else {
        request.params = match.params;
        request.content_type = msg[bhttp::field::content_type];
        request.authorization = msg[bhttp::field::authorization];
        request.body = msg.body();
        response = co_await handle(*match.route, request);
      }
    }
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("method={} path={} status={}", request.method_name, request.path, response.status);
    }

    const bool keep_alive = keep_open && msg.keep_alive() && !stopping.load();
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), msg.version()};
    if (response.status != 204) {
      out.set(bhttp::field::content_type, response.content_type);
      out.body() = std::move(response.body);
    }
    out.keep_alive(keep_alive);
    out.prepare_payload();
    co_await bhttp::async_write(stream, out, asio::redirect_error(use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace ds::http
