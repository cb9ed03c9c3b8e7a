#pragma once
// A small blocking HTTP/1.1 client for tests: one keep-alive connection, plus raw byte
// exchanges for malformed or hand-built requests. Beast stays in the .cpp (compile time).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ds::test {

// Header names are compared case-insensitively.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;  // 0: the server closed the connection without answering
  Headers headers;
  std::string body;
  bool keep_alive = false;  // what the server said about this connection

  // The value of header `name`, or "" when absent.
  std::string header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  // Sends one request on the kept-alive connection (reconnecting when the server closed it)
  // and reads the response. A non-empty body gets `content-type: application/json` unless
  // `headers` names a content type; a content type given as "" is not sent at all.
  // Throws std::runtime_error on a network error or timeout.
  HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                       const Headers& headers = {});

  // Writes bytes as they are on the current connection (opening one if needed); a write
  // error (the server closed early) is ignored so that its answer can still be read.
  void write_raw(std::string_view bytes);
  // Reads one response on the current connection; status 0 when it closes first.
  HttpResponse read_response();
  // A fresh connection: writes `bytes`, reads one response, closes.
  HttpResponse send_raw(std::string_view bytes);

  // Waits up to `wait` for the server to close the current connection; false when it stays
  // open (or sends something instead).
  bool server_closed(std::chrono::milliseconds wait = std::chrono::seconds(5));
  void close();
  // How many TCP connections this client has opened: 1 after many requests = keep-alive.
  int connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ds::test
