#include "support/http_client.hpp"

#include <poll.h>
#include <strings.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <stdexcept>

namespace ds::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  int connections = 0;

  // Runs one asynchronous operation to completion with the client's timeout: the tcp_stream
  // closes the socket when the deadline passes, so the operation ends with an error.
  template <typename Start>
  boost::system::error_code run(Start&& start) {
    boost::system::error_code result;
    stream->expires_after(timeout);
    start([&result](boost::system::error_code ec, std::size_t) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  void connect() {
    stream.emplace(ioc);
    buffer.clear();
    const tcp::endpoint endpoint(asio::ip::make_address(host), port);
    boost::system::error_code ec;
    stream->expires_after(timeout);
    stream->async_connect(endpoint, [&ec](boost::system::error_code e) { ec = e; });
    ioc.restart();
    ioc.run();
    if (ec) {
      stream.reset();
      throw std::runtime_error("connect to " + host + ":" + std::to_string(port) + " failed: " + ec.message());
    }
    ++connections;
  }

  void ensure_connected() {
    if (!stream || !stream->socket().is_open()) connect();
  }

  HttpResponse read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    parser.header_limit(1 << 20);
    const auto ec = run([&](auto handler) { bhttp::async_read(*stream, buffer, parser, handler); });
    HttpResponse out;
    if (ec) {
      const bool closed = ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                          ec == asio::error::connection_reset || ec == bhttp::error::partial_message;
      stream.reset();
      if (closed) return out;
      throw std::runtime_error("reading the response failed: " + ec.message());
    }
    auto& msg = parser.get();
    out.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg) out.headers.emplace_back(field.name_string(), field.value());
    out.body = std::move(msg.body());
    out.keep_alive = msg.keep_alive();
    return out;
  }

  void write(std::string_view bytes) {
    ensure_connected();
    // Errors are ignored on purpose: a server that answers early (413) and closes makes the
    // rest of the write fail, and the caller still wants to read that answer.
    run([&](auto handler) { asio::async_write(*stream, asio::buffer(bytes.data(), bytes.size()), handler); });
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                 const Headers& headers) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, impl_->host + ":" + std::to_string(impl_->port));
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    const bool is_ct = strcasecmp(name.c_str(), "content-type") == 0;
    has_content_type = has_content_type || is_ct;
    if (is_ct && value.empty()) continue;
    req.insert(name, value);
  }
  if (!body.empty() && !has_content_type) req.set(bhttp::field::content_type, "application/json");
  req.body() = std::string(body);
  req.keep_alive(true);
  req.prepare_payload();

  // A kept-alive connection the server closed in between is retried once on a new one.
  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->stream && impl_->stream->socket().is_open();
    impl_->ensure_connected();
    impl_->run([&](auto handler) { bhttp::async_write(*impl_->stream, req, handler); });
    HttpResponse response = impl_->read();
    if (response.status == 0 && reused && attempt == 0) {
      impl_->stream.reset();
      continue;
    }
    if (response.status != 0 && !response.keep_alive) impl_->stream.reset();
    return response;
  }
}

void HttpClient::write_raw(std::string_view bytes) { impl_->write(bytes); }

HttpResponse HttpClient::read_response() {
  if (!impl_->stream) return {};
  return impl_->read();
}

HttpResponse HttpClient::send_raw(std::string_view bytes) {
  close();
  impl_->write(bytes);
  HttpResponse response = impl_->read();
  close();
  return response;
}

bool HttpClient::server_closed(std::chrono::milliseconds wait) {
  if (!impl_->stream || !impl_->stream->socket().is_open()) return true;
  const int fd = impl_->stream->socket().native_handle();
  pollfd pfd{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&pfd, 1, static_cast<int>(wait.count())) <= 0) return false;
  char c;
  const ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

void HttpClient::close() {
  impl_->stream.reset();
  impl_->buffer.clear();
}

int HttpClient::connections_opened() const { return impl_->connections; }

}  // namespace ds::test
