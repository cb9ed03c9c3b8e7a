// Faults on the wire between the server and Turso, injected by a loopback proxy
// (tests/support/fault_proxy.hpp) in front of a real libSQL-protocol server: tursodb and the
// Hrana test server in v2-only and v3-only mode. The real binary over real HTTP, each test
// with its own folder, servers and ports. For every fault: a 503 whose `details` name the host
// and the cause and never the token; nothing half-written (the database is read afterwards
// directly, past the proxy); no silent retry of a write whose outcome is unknown (the error
// says the outcome is unknown); reads retried; and service back by itself once the proxy
// passes traffic again. (Driver-level fault tests: turso_wire_faults_driver_test.cpp.)
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "support/database_backend.hpp"
#include "support/fault_proxy.hpp"
#include "support/server_process.hpp"

namespace {

using ds::test::BackendFactory;
using ds::test::FaultProxy;
using ds::test::HttpResponse;
using ds::test::kTursoTestToken;
using ds::test::ProxiedBackend;
using ds::test::ServerProcess;
using Fault = FaultProxy::Fault;
using nlohmann::json;

// How the requests of the two routes look in a pipeline's JSON body.
constexpr const char* kInsertProject = R"(INSERT INTO \"projects\")";
constexpr const char* kSelectProjects = R"(FROM \"projects\")";

class TursoWireFaults : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void start(ServerProcess::Env env = {}) {
    backend_ = std::make_shared<ProxiedBackend>(GetParam()());
    env.emplace("LOG_LEVEL", "debug");
    server_ = std::make_unique<ServerProcess>(std::move(env), backend_);
    server_->start();
    const auto setup = server_->setup_database();
    ASSERT_EQ(setup.status, 200) << setup.body << server_->log();
  }

  void TearDown() override {
    if (!server_) return;
    EXPECT_EQ(server_->stop(), 0);
    const std::string log = server_->log();
    EXPECT_EQ(log.find(kTursoTestToken), std::string::npos) << log;
  }

  FaultProxy& proxy() { return backend_->proxy(); }

  HttpResponse post_project(const std::string& name) {
    return server_->request("POST", "/api/projects", json{{"name", name}}.dump());
  }
  HttpResponse list_projects() { return server_->request("GET", "/api/projects?limit=500"); }

  // Projects named `name` in the database, read directly (past the proxy).
  std::int64_t stored(const std::string& name) {
    const auto db = backend_->connect();
    const ds::db::Value n{name};
    const auto r = db->execute("SELECT count(*) FROM projects WHERE name = ?", std::span(&n, 1));
    return std::get<std::int64_t>(r.cells.at(0));
  }

  // The answer to a request a fault broke: 503, `details` naming the proxy's host and saying
  // each of `says`, no token anywhere. Returns the details.
  std::string expect_unavailable(const HttpResponse& r, std::initializer_list<const char*> says) {
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.body.find(kTursoTestToken), std::string::npos) << r.body;
    const auto body = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << r.body;
    if (!body.is_object()) return {};
    EXPECT_EQ(body.value("error", ""), "Service temporarily unavailable") << r.body;
    const std::string details = body.value("details", "");
    EXPECT_NE(details.find(proxy().host()), std::string::npos) << "names the host: " << r.body;
    for (const char* s : says)
      EXPECT_NE(details.find(s), std::string::npos) << "says '" << s << "': " << r.body;
    return details;
  }

  // Service resumed without a restart: a write and a read succeed.
  void expect_recovered(const std::string& name) {
    proxy().pass();
    const auto created = post_project(name);
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(stored(name), 1);
    const auto list = list_projects();
    EXPECT_EQ(list.status, 200) << list.body;
    EXPECT_NE(list.body.find(name), std::string::npos) << list.body;
  }

  std::shared_ptr<ProxiedBackend> backend_;
  std::unique_ptr<ServerProcess> server_;
};

// The write reached the server and ran; its answer was cut off by a reset. The row is there
// whole, once; the client is told the outcome is unknown, and the write was not repeated.
TEST_P(TursoWireFaults, AResetMidResponseOnAWriteSaysTheOutcomeIsUnknownAndIsNotRetried) {
  start();
  proxy().inject({.fault = Fault::reset, .only_if_body_contains = kInsertProject});
  expect_unavailable(post_project("cut-off"), {"outcome is unknown", "not retried"});
  EXPECT_EQ(proxy().count(kInsertProject), 1u) << "a write of unknown outcome is never repeated";
  EXPECT_EQ(stored("cut-off"), 1) << "the write ran whole on the server";
  expect_recovered("after-reset");
}

// The write committed, then the connection closed without a byte of the answer.
TEST_P(TursoWireFaults, AResponseLostAfterTheWriteCommittedSaysTheOutcomeIsUnknownAndIsNotRetried) {
  start();
  proxy().inject({.fault = Fault::lose_response, .only_if_body_contains = kInsertProject});
  expect_unavailable(post_project("lost"), {"outcome is unknown", "not retried"});
  EXPECT_EQ(proxy().count(kInsertProject), 1u);
  EXPECT_EQ(stored("lost"), 1);
  expect_recovered("after-lost");
}

// Reads are safe to repeat: one lost answer is retried and nobody notices; an outage that
// lasts is a 503 naming the cause.
TEST_P(TursoWireFaults, AReadIsRetriedAfterALostAnswerAndA503WhenTheFaultLasts) {
  start();
  proxy().inject({.fault = Fault::reset, .times = 1, .only_if_body_contains = kSelectProjects});
  EXPECT_EQ(list_projects().status, 200);
  EXPECT_EQ(proxy().count(kSelectProjects), 2u) << "one retry";

  proxy().inject({.fault = Fault::lose_response, .only_if_body_contains = kSelectProjects});
  const auto before = proxy().count(kSelectProjects);
  expect_unavailable(list_projects(), {"cannot be reached"});
  EXPECT_GE(proxy().count(kSelectProjects) - before, 2u) << "reads are retried";
  EXPECT_LE(proxy().count(kSelectProjects) - before, 3u) << "at most TursoOptions::max_attempts";
  expect_recovered("after-read-fault");
}

// A 5xx on a write: the server (or a gateway in front of it) may have run it, so the outcome
// is unknown, said so, and never retried. Not forwarded: nothing stored; forwarded: stored once.
TEST_P(TursoWireFaults, A5xxOnAWriteSaysTheOutcomeIsUnknownAndIsNotRetried) {
  start();
  proxy().inject({.fault = Fault::status, .status = 500, .only_if_body_contains = kInsertProject});
  expect_unavailable(post_project("refused"), {"HTTP 500", "outcome is unknown", "not retried"});
  EXPECT_EQ(proxy().count(kInsertProject), 1u);
  EXPECT_EQ(stored("refused"), 0);

  proxy().inject({.fault = Fault::status,
                  .status = 502,
                  .forward = true,
                  .only_if_body_contains = kInsertProject});
  expect_unavailable(post_project("behind-gateway"),
                     {"HTTP 502", "outcome is unknown", "not retried"});
  EXPECT_EQ(proxy().count(kInsertProject), 2u);
  EXPECT_EQ(stored("behind-gateway"), 1);
  expect_recovered("after-5xx");
}

TEST_P(TursoWireFaults, A503OnAReadIsRetried) {
  start();
  proxy().inject({.fault = Fault::status,
                  .status = 503,
                  .times = 1,
                  .only_if_body_contains = kSelectProjects});
  EXPECT_EQ(list_projects().status, 200);
  EXPECT_EQ(proxy().count(kSelectProjects), 2u);
  proxy().inject({.fault = Fault::status, .status = 503, .only_if_body_contains = kSelectProjects});
  expect_unavailable(list_projects(), {"HTTP 503"});
  expect_recovered("after-503");
}

// 429: the server refused to run the request. A Retry-After past the call's deadline is not
// waited for (one request, a 503 saying when to come back); a short one is honoured on a read.
TEST_P(TursoWireFaults, A429IsRetriedNoSoonerThanRetryAfterAndOnlyWithinTheDeadline) {
  start();
  proxy().inject({.fault = Fault::rate_limit,
                  .retry_after_s = 3600,
                  .only_if_body_contains = kSelectProjects});
  expect_unavailable(list_projects(), {"HTTP 429", "Retry-After: 3600"});
  EXPECT_EQ(proxy().count(kSelectProjects), 1u)
      << "a retry before Retry-After would be refused too";

  proxy().inject(
      {.fault = Fault::rate_limit, .retry_after_s = 3600, .only_if_body_contains = kInsertProject});
  expect_unavailable(post_project("rate-limited"),
                     {"HTTP 429", "Retry-After: 3600", "not applied"});
  EXPECT_EQ(proxy().count(kInsertProject), 1u);
  EXPECT_EQ(stored("rate-limited"), 0);

  proxy().inject({.fault = Fault::rate_limit,
                  .retry_after_s = 1,
                  .times = 1,
                  .only_if_body_contains = kSelectProjects});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(list_projects().status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1))
      << "waited for Retry-After";
  EXPECT_EQ(proxy().count(kSelectProjects), 3u);
  expect_recovered("after-429");
}

// A server slower than TURSO_TIMEOUT_MS: the write ran (late) but its answer never came in
// time. The client is told it timed out and that the outcome is unknown; nothing is repeated.
TEST_P(TursoWireFaults, ASlowServerTimesOutAndAWriteSaysTheOutcomeIsUnknown) {
  start({{"TURSO_TIMEOUT_MS", "2000"}});
  proxy().inject({.fault = Fault::hang, .only_if_body_contains = kInsertProject});
  expect_unavailable(post_project("slow"),
                     {"timed out", "TURSO_TIMEOUT_MS=2000", "outcome is unknown"});
  EXPECT_EQ(proxy().count(kInsertProject), 1u);
  EXPECT_EQ(stored("slow"), 1);

  proxy().inject({.fault = Fault::hang, .only_if_body_contains = kSelectProjects});
  const auto before = proxy().count(kSelectProjects);
  expect_unavailable(list_projects(), {"timed out"});
  EXPECT_EQ(proxy().count(kSelectProjects) - before, 1u) << "no time left for a retry";
  expect_recovered("after-slow");
}

// A server that refuses the protocol's `close` (the whole pipeline, so none of it ran): the
// driver sends the pipeline again without it, once, and remembers. The client sees nothing.
// (tursodb rejects `close` itself: the driver stopped sending it at setup.)
TEST_P(TursoWireFaults, AServerThatRejectsCloseIsServedWithoutIt) {
  start();
  proxy().inject({.fault = Fault::reject_close});
  const auto created = post_project("no-close");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(list_projects().status, 200);
  EXPECT_EQ(stored("no-close"), 1) << "the rejected pipeline ran nothing; the resend ran once";
  EXPECT_LE(proxy().faults_injected(), 1) << "remembered: close is not sent again";
  if (proxy().faults_injected() == 1) {
    EXPECT_EQ(proxy().count(kInsertProject), 2u);
    EXPECT_TRUE(server_->wait_for_log("does not accept the close request"));
  }
  expect_recovered("after-close");
}

INSTANTIATE_TEST_SUITE_P(Turso, TursoWireFaults, ::testing::Values(&ds::test::turso_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV2, TursoWireFaults, ::testing::Values(&ds::test::hrana_v2_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, TursoWireFaults, ::testing::Values(&ds::test::hrana_v3_backend),
                         ds::test::backend_name);

// Faults inside an interactive transaction (a stream with batons): PUT /api/settings/:key
// reads the setting and updates it in one transaction. Only on servers with streams: tursodb
// has none (one shared connection, batons echoed), so none can expire.
class TursoStreamFaults : public TursoWireFaults {
 protected:
  static constexpr const char* kAdmin = "admin-token-for-wire-faults";
  HttpResponse put_setting(const std::string& value) {
    return server_->request("PUT", "/api/settings/smtp.host", json{{"value", value}}.dump(),
                            {{"Authorization", std::string("Bearer ") + kAdmin}});
  }
  std::string stored_setting() {
    const auto db = backend_->connect();
    const auto r = db->execute("SELECT value FROM globalSettings WHERE key = 'smtp.host'");
    return r.row_count() ? std::get<std::string>(r.cells.at(0)) : "(missing)";
  }
};

// The server expires the stream between the transaction's statements (sqld does after 10 s
// idle), rolling it back: a clear 503, nothing of the transaction stored, no retry, and the
// next transaction runs on a new stream.
TEST_P(TursoStreamFaults, AStreamExpiredMidTransactionIsA503AndNothingIsStored) {
  start({{"DEPLOYSTACK_ADMIN_TOKEN", kAdmin},
         {"DEPLOYSTACK_ENCRYPTION_SECRET", "wire-faults-secret"}});
  const std::string before = stored_setting();
  proxy().inject({.fault = Fault::expire_streams, .times = 1});
  expect_unavailable(put_setting("mail.expired.example"),
                     {"expired the stream", "rolled", "not retried"});
  EXPECT_EQ(proxy().faults_injected(), 1);
  EXPECT_EQ(stored_setting(), before);
  const auto again = put_setting("mail.after.example");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(stored_setting(), "mail.after.example");
}

// A 5xx in the middle of a transaction (the request never ran): 503, nothing stored, and the
// stream's write lock does not outlive the failure: the next write succeeds at once.
TEST_P(TursoStreamFaults, A5xxMidTransactionIsA503AndDoesNotLeaveTheStreamLocked) {
  start({{"DEPLOYSTACK_ADMIN_TOKEN", kAdmin},
         {"DEPLOYSTACK_ENCRYPTION_SECRET", "wire-faults-secret"}});
  const std::string before = stored_setting();
  proxy().inject(
      {.fault = Fault::status, .status = 503, .times = 1, .only_if_body_contains = R"("baton":")"});
  expect_unavailable(put_setting("mail.failed.example"), {"HTTP 503", "not retried"});
  EXPECT_EQ(stored_setting(), before);
  const auto again = put_setting("mail.after.example");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(stored_setting(), "mail.after.example");
  expect_recovered("after-stream-5xx");
}

INSTANTIATE_TEST_SUITE_P(HranaV2, TursoStreamFaults, ::testing::Values(&ds::test::hrana_v2_backend),
                         ds::test::backend_name);
INSTANTIATE_TEST_SUITE_P(HranaV3, TursoStreamFaults, ::testing::Values(&ds::test::hrana_v3_backend),
                         ds::test::backend_name);

}  // namespace
