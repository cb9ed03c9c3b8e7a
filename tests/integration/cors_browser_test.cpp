// The web frontend's real situation, in a real browser: a page on another origin calls the
// API with fetch(..., {credentials: 'include'}) and a JSON body, so Chromium sends a CORS
// preflight and enforces the answer. From DEPLOYSTACK_FRONTEND_URL the setup wizard's calls
// succeed; from an origin not on the list the browser refuses them and nothing is set up.
// Chromium (Debian's `chromium`, installed by scripts/setup.sh) runs headless; without it the
// test fails, it never skips.
#include <gtest/gtest.h>

#include <mutex>
#include <string>

#include "support/fake_http_server.hpp"
#include "support/server_process.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "test_helpers.hpp"

namespace ds::test {
namespace {

// What the frontend's setup wizard does first: set up SQLite, then read the status. The page
// writes what it saw into its body, which Chromium prints with --dump-dom.
std::string wizard_page(const std::string& api) {
  return R"(<!doctype html><html><body>waiting<script>
(async () => {
  const out = [];
  try {
    const setup = await fetch(')" +
         api + R"(/api/db/setup', {method: 'POST', credentials: 'include',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({type: 'sqlite'})});
    out.push('setup ' + setup.status + ' ' + await setup.text());
    const status = await fetch(')" +
         api + R"(/api/db/status', {credentials: 'include'});
    out.push('status ' + status.status + ' ' + await status.text());
  } catch (e) {
    out.push('refused ' + e);
  }
  document.body.textContent = 'RESULT[' + out.join(' | ') + ']';
})();
</script></body></html>)";
}

// Serves `page` at /wizard.html on a free loopback port: the frontend's origin.
class FrontendOrigin {
 public:
  FrontendOrigin()
      : server_([this](const FakeHttpServer::Request&) {
          std::lock_guard lock(mutex_);
          return FakeHttpServer::Response{
              .status = 200, .body = page_, .content_type = "text/html"};
        }) {}
  std::string origin() const { return server_.url(); }
  void serve(std::string page) {
    std::lock_guard lock(mutex_);
    page_ = std::move(page);
  }

 private:
  std::mutex mutex_;
  std::string page_;
  FakeHttpServer server_;
};

// Loads `url` in headless Chromium, lets its scripts finish, and returns what the page wrote
// between RESULT[ and ]. `resolver_rules` (Chromium's --host-resolver-rules) lets a page keep
// an origin such as http://localhost:5173 while being served from a free port.
std::string run_in_chromium(const std::string& url, const std::string& resolver_rules = {}) {
  TempDir profile;
  const auto result = run_command(
      {.argv = {"/bin/sh", "-c",
                "command -v chromium >/dev/null || { echo 'chromium is missing: run "
                "scripts/setup.sh (apt-get install chromium)'; exit 127; }; exec chromium "
                "--headless=new --no-sandbox --disable-gpu --no-first-run "
                "--user-data-dir=\"$PROFILE\" --host-resolver-rules=\"$RULES\" "
                "--virtual-time-budget=10000 --dump-dom \"$URL\" 2>/dev/null"},
       .env = {{"HOME", profile.path().string()},
               {"PROFILE", (profile / "chromium").string()},
               {"RULES", resolver_rules},
               {"URL", url}},
       .cwd = profile.path(),
       .stderr_file = {}},
      std::chrono::seconds(60));
  EXPECT_EQ(result.status, 0) << result.out;
  const auto begin = result.out.find("RESULT[");
  const auto end = result.out.rfind(']');
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    ADD_FAILURE() << "the page wrote no result:\n" << result.out;
    return {};
  }
  return result.out.substr(begin + 7, end - begin - 7);
}

TEST(CorsBrowser, TheSetupWizardWorksFromTheFrontendOrigin) {
  FrontendOrigin frontend;
  ServerProcess server(ServerProcess::Env{{"DEPLOYSTACK_FRONTEND_URL", frontend.origin()}});
  server.start();
  frontend.serve(wizard_page(server.url()));
  const auto seen = run_in_chromium(frontend.origin() + "/wizard.html");
  EXPECT_EQ(seen,
            "setup 200 " + setup_success("sqlite") + " | status 200 " + status_ready("sqlite"));
}

TEST(CorsBrowser, TheSetupWizardWorksFromTheViteDevelopmentOrigin) {
  // No DEPLOYSTACK_FRONTEND_URL: http://localhost:5173 is one of the development origins. The
  // page keeps that origin (what the browser sends as Origin) but comes from a free port.
  FrontendOrigin vite;
  ServerProcess server;
  server.start();
  vite.serve(wizard_page(server.url()));
  const auto port = vite.origin().substr(vite.origin().rfind(':') + 1);
  const auto seen =
      run_in_chromium("http://localhost:5173/wizard.html", "MAP localhost:5173 127.0.0.1:" + port);
  EXPECT_EQ(seen,
            "setup 200 " + setup_success("sqlite") + " | status 200 " + status_ready("sqlite"));
}

TEST(CorsBrowser, AnotherOriginIsRefusedByTheBrowserAndNothingIsSetUp) {
  FrontendOrigin listed;
  FrontendOrigin other;
  ServerProcess server(ServerProcess::Env{{"DEPLOYSTACK_FRONTEND_URL", listed.origin()}});
  server.start();
  other.serve(wizard_page(server.url()));
  const auto seen = run_in_chromium(other.origin() + "/wizard.html");
  EXPECT_EQ(seen, "refused TypeError: Failed to fetch");
  // The preflight got no allow headers, so the browser never sent the setup itself.
  EXPECT_EQ(server.request("GET", "/api/db/status").body, kStatusBeforeSetup);
}

}  // namespace
}  // namespace ds::test
