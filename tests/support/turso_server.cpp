#include "support/turso_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace ds::test {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::uint16_t pick_free_port() {
  Fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (s.fd < 0 || ::bind(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot pick a free port");
  }
  return ntohs(addr.sin_port);
}

bool turso_answers(std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (s.fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return false;
    pollfd p{s.fd, POLLOUT, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) return false;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return false;
  }
  // A real request at once: this server serves one connection at a time and waits 30 s for
  // a silent one.
  const std::string body = R"({"baton":null,"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}}]})";
  const std::string req = "POST /v2/pipeline HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Connection: close\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
  std::size_t off = 0;
  while (off < req.size()) {
    pollfd p{s.fd, POLLOUT, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) return false;
    const ssize_t n = ::send(s.fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  std::string answer;
  while (answer.size() < 12) {
    pollfd p{s.fd, POLLIN, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) return false;
    char buf[512];
    const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  return answer.starts_with("HTTP/1.1 200");
}

std::filesystem::path TursoServer::binary() {
  return std::filesystem::path(DS_SOURCE_DIR) / "tests/peers/node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb";
}

bool TursoServer::available() { return ::access(binary().c_str(), X_OK) == 0; }

TursoServer::TursoServer(std::filesystem::path dir) : dir_(std::move(dir)), db_file_(dir_ / "test.db") {
  if (!available()) {
    throw std::runtime_error(
        "tursodb is not installed (expected at " + binary().string() +
        "): run scripts/setup-test-peers.sh (make test runs it; it needs Node.js 20 and npm)");
  }
  // The port was free when picked, but another process may take it first: try again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (launch(pick_free_port())) return;
  }
  throw std::runtime_error("tursodb did not become ready; see " + (dir_ / "tursodb.stderr").string());
}

TursoServer::~TursoServer() { stop(); }

bool TursoServer::launch(std::uint16_t port) {
  process_ = std::make_unique<Subprocess>(Subprocess::Options{
      {binary().string(), db_file_.string(), "--sync-server", "127.0.0.1:" + std::to_string(port)},
      {{"RUST_LOG", "error"}},
      dir_,
      dir_ / "tursodb.stderr"});
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    if (turso_answers(port, std::chrono::milliseconds(2000))) {
      port_ = port;
      return true;
    }
    // Wait for the child to print or exit rather than sleeping blindly; it prints nothing on
    // stdout, so this is a bounded pause that ends early when the child dies.
    process_->wait_for_line("\x01never", std::chrono::milliseconds(20));
    if (!process_->running()) break;  // most likely the port was taken
  }
  process_.reset();
  return false;
}

void TursoServer::stop() {
  if (process_) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(10));
    process_.reset();
  }
}

void TursoServer::start() {
  if (process_) return;
  if (!launch(port_)) throw std::runtime_error("tursodb did not restart on its port");
}

bool TursoServer::running() const { return process_ != nullptr; }

}  // namespace ds::test
