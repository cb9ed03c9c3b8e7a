// Where the server runs a handler: inline routes on the connection's I/O thread, blocking
// routes on the worker pool, read routes on the I/O thread only while the database says its
// reads never wait.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "http/router.hpp"
#include "server/server.hpp"
#include "support/http_client.hpp"

namespace ds::http {
namespace {

class ServerDispatch : public ::testing::Test {
 protected:
  void SetUp() override {
    auto record = [this](const char* route) {
      return [this, route](const Request&) {
        std::lock_guard lock(mutex_);
        threads_[route] = std::this_thread::get_id();
        return Response::json(200, "{}");
      };
    };
    router_.add(Method::get, "/inline", record("inline"), Execution::inline_);
    router_.add(Method::get, "/blocking", record("blocking"), Execution::blocking);
    router_.add(Method::get, "/read", record("read"), Execution::reads_database);
    server_ = std::make_unique<Server>(
        Server::Options{.host = "127.0.0.1",
                        .port = 0,
                        .io_threads = 1,
                        .worker_threads = 2,
                        .reads_never_wait = [this] { return reads_never_wait_.load(); }},
        router_);
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    server_->stop();
    thread_.join();
  }

  std::thread::id thread_of(const char* route) {
    std::lock_guard lock(mutex_);
    return threads_.at(route);
  }

  // Calls each route once on one keep-alive connection (so one I/O thread serves them all).
  void call_all() {
    test::HttpClient client("127.0.0.1", port_);
    for (const char* target : {"/inline", "/blocking", "/read"}) {
      ASSERT_EQ(client.request("GET", target).status, 200) << target;
    }
    EXPECT_EQ(client.connections_opened(), 1);
  }

  std::atomic<bool> reads_never_wait_{false};

 private:
  Router router_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, std::thread::id> threads_;
};

TEST_F(ServerDispatch, ReadRoutesRunOnTheIoThreadWhenReadsNeverWait) {
  reads_never_wait_ = true;
  call_all();
  EXPECT_EQ(thread_of("read"), thread_of("inline"));
  EXPECT_NE(thread_of("blocking"), thread_of("inline"));
}

TEST_F(ServerDispatch, ReadRoutesRunOnTheWorkerPoolWhenReadsMayWait) {
  reads_never_wait_ = false;
  call_all();
  EXPECT_NE(thread_of("read"), thread_of("inline"));
  EXPECT_NE(thread_of("blocking"), thread_of("inline"));
}

}  // namespace
}  // namespace ds::http
