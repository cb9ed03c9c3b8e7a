// The checks every integration test gets from ServerProcess: a server that dies, exits
// non-zero or logs a sanitizer report fails the test that ran it, unless the test said the
// unclean end was its purpose. Each case runs in EXPECT_NONFATAL_FAILURE to catch that failure.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "support/server_process.hpp"

namespace ds::test {
namespace {

// What a sanitizer prints, appended to the log while the server runs: the server's own
// sanitizer output lands in the same file (its stderr).
void append_report(const ServerProcess& server) {
  std::ofstream(server.log_file(), std::ios::app)
      << "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010\n"
         "SUMMARY: AddressSanitizer: heap-use-after-free x.cpp:1 in f\n";
}

TEST(ServerChecks, ACleanStopPasses) {
  ServerProcess server;
  server.start();
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerChecks, AServerThatDiesBeforeTheTestEndsFailsIt) {
  EXPECT_NONFATAL_FAILURE(
      {
        ServerProcess server;
        server.start();
        // As the kernel's OOM killer would (a SIGSEGV would be ASan's to report, under ASan).
        server.process()->signal(SIGKILL);
        server.process()->wait();
      },
      "the server exited with status 137");
}

TEST(ServerChecks, ADeathIsNotExcusedByAKillThatCameTooLate) {
  EXPECT_NONFATAL_FAILURE(
      {
        ServerProcess server;
        server.start();
        server.process()->signal(SIGABRT);
        server.process()->wait();
        server.kill9();
      },
      "the server exited with status 134");
}

TEST(ServerChecks, ASanitizerReportInTheLogFailsTheTestAtStop) {
  EXPECT_NONFATAL_FAILURE(
      {
        ServerProcess server;
        server.start();
        append_report(server);
        server.stop();
      },
      "heap-use-after-free");
}

TEST(ServerChecks, ASanitizerReportFailsTheTestEvenWhenTheServerIsKilled) {
  EXPECT_NONFATAL_FAILURE(
      {
        ServerProcess server;
        server.start();
        append_report(server);
        server.kill9();
      },
      "heap-use-after-free");
}

TEST(ServerChecks, TheDestructorStopsAndChecksARunningServer) {
  EXPECT_NONFATAL_FAILURE(
      {
        ServerProcess server;
        server.start();
        append_report(server);
      },
      "sanitizer report");
}

TEST(ServerChecks, AnEarlierRunsReportIsNotCountedTwice) {
  ServerProcess server;
  server.start();
  append_report(server);
  EXPECT_NONFATAL_FAILURE(server.stop(), "heap-use-after-free");
  server.start();
  EXPECT_EQ(server.stop(), 0);  // this run is clean
}

TEST(ServerChecks, DeliberateKillsAndDeclaredUncleanEndsPass) {
  ServerProcess server;
  server.start();
  server.kill9();
  server.start();
  server.expect_unclean_exit();
  server.process()->signal(SIGKILL);
  server.process()->wait();
}

TEST(ServerChecks, ARefusalToStartIsTheExceptionsToReport) {
  ServerProcess server(ServerProcess::Env{{"LOG_LEVEL", "no-such-level"}});
  EXPECT_THROW(server.start(), std::runtime_error);
}

TEST(ServerChecks, ASanitizerReportInACliRunsStderrFailsTheTest) {
  ServerProcess server;
  // The CLI echoes an unknown argument on stderr: a stand-in for a report it printed itself.
  EXPECT_NONFATAL_FAILURE(
      server.run_cli({"==1==ERROR: AddressSanitizer: stack-overflow"}),
      "deploystack ==1==ERROR: AddressSanitizer: stack-overflow printed a sanitizer report");
  server.run_cli({"--help"});  // the earlier run's report is not this run's
}

}  // namespace
}  // namespace ds::test
