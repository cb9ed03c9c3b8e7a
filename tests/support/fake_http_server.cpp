#include "support/fake_http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ds::test {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

// Parses one complete request from the front of `buf`, or returns false when more bytes are needed.
bool take_request(std::string& buf, FakeHttpServer::Request& out) {
  const auto head_end = buf.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  const std::string head = buf.substr(0, head_end);
  FakeHttpServer::Request req;
  std::size_t line_end = head.find("\r\n");
  const std::string first = head.substr(0, line_end);
  const auto sp1 = first.find(' ');
  const auto sp2 = first.find(' ', sp1 + 1);
  req.method = first.substr(0, sp1);
  req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  while (line_end != std::string::npos && line_end < head.size()) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    req.headers[lower(line.substr(0, colon))] = value;
  }
  std::size_t length = 0;
  if (auto it = req.headers.find("content-length"); it != req.headers.end()) length = std::stoul(it->second);
  if (auto it = req.headers.find("transfer-encoding"); it != req.headers.end()) req.chunked = true;
  if (buf.size() < head_end + 4 + length) return false;
  req.body = buf.substr(head_end + 4, length);
  buf.erase(0, head_end + 4 + length);
  out = std::move(req);
  return true;
}

}  // namespace

FakeHttpServer::FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("bind/listen failed");
  }
  port_ = ntohs(addr.sin_port);
  if (::pipe2(wake_, O_CLOEXEC) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("pipe failed");
  }
  thread_ = std::thread([this] { run(); });
}

FakeHttpServer::~FakeHttpServer() {
  const char c = 'x';
  (void)!::write(wake_[1], &c, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::vector<FakeHttpServer::Request> FakeHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void FakeHttpServer::run() {
  struct Conn {
    int fd;
    std::string buf;
    bool held = false;  // answered with Wire::hold: whatever it sends is ignored
  };
  std::vector<Conn> conns;
  for (;;) {
    std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (const auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
    if (fds[0].revents != 0) break;
    if (fds[1].revents & POLLIN) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        ++accepted_;
        conns.push_back({fd, {}});
      }
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      auto it = std::find_if(conns.begin(), conns.end(), [&](const Conn& c) { return c.fd == fds[i].fd; });
      char buf[8192];
      const ssize_t n = ::recv(it->fd, buf, sizeof buf, 0);
      bool close_it = n <= 0;
      if (n > 0 && !it->held) it->buf.append(buf, static_cast<std::size_t>(n));
      Request req;
      while (!close_it && !it->held && take_request(it->buf, req)) {
        {
          std::lock_guard lock(mutex_);
          requests_.push_back(req);
        }
        const Response resp = handler_(req);
        if (resp.wire == Wire::hold) {
          it->held = true;
          break;
        }
        if (resp.wire == Wire::drop) {
          close_it = true;
          break;
        }
        std::string extra;
        for (const auto& [name, value] : resp.headers) extra += name + ": " + value + "\r\n";
        const std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                                 reason(resp.status) + "\r\n" +
                                 "Content-Type: " + resp.content_type + "\r\n" +
                                 "Content-Length: " + std::to_string(resp.body.size()) + "\r\n" +
                                 extra + (resp.close ? "Connection: close\r\n" : "") + "\r\n";
        if (resp.wire == Wire::reset) {
          write_all(it->fd, head + resp.body.substr(0, resp.body.size() / 2));
          // SO_LINGER 0: close() sends RST instead of FIN, as a crashed peer or a middlebox does.
          const linger abort{1, 0};
          ::setsockopt(it->fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
          close_it = true;
          break;
        }
        write_all(it->fd, head + resp.body);
        if (resp.close) close_it = true;
      }
      if (close_it) {
        ::close(it->fd);
        conns.erase(it);
      }
    }
  }
  for (const auto& c : conns) ::close(c.fd);
}

}  // namespace ds::test
