#pragma once
// A scripted HTTP/1.1 server on a loopback port for tests: every request goes to a handler
// that returns the canned answer; requests and connections are recorded. Keep-alive is
// honoured (unless the answer says close), so tests can prove connection reuse.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ds::test {

class FakeHttpServer {
 public:
  struct Request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    bool chunked = false;  // Transfer-Encoding: chunked was used (body not decoded)
  };
  // What happens on the wire instead of a plain answer: how tests script network faults.
  enum class Wire {
    answer,  // the response, as it is
    reset,   // the head and half the body, then a TCP reset (RST): cut off mid-response
    drop,    // no byte of the response: the connection is closed (FIN) at once
    hold,    // no byte of the response, the connection kept open until the client gives up
  };
  struct Response {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    bool close = false;  // close the connection after answering
    std::vector<std::pair<std::string, std::string>> headers{};  // extra header lines
    Wire wire = Wire::answer;
  };
  using Handler = std::function<Response(const Request&)>;

  explicit FakeHttpServer(Handler handler);
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;
  ~FakeHttpServer();

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<Request> requests() const;
  int connections_accepted() const { return accepted_.load(); }

 private:
  void run();

  Handler handler_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace ds::test
