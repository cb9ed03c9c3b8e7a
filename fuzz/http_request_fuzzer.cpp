// Feeds arbitrary bytes to the server's request path, in-process and without sockets: Beast's
// request parser (the limits the server sets), the router, and the handler of every route,
// including each JSON body handler and a plugin's routes, on a real SQLite database that was
// set up once. The bytes are one connection's worth of pipelined requests.
//
// Besides the sanitizers, the oracle is the server's promise for bad input: no exception
// escapes the request path (in the server it would end the connection without an answer),
// no 5xx, and every JSON body is valid JSON.
//
// The steps mirror Server::Impl::session (src/server/server.cpp), which this build cannot
// compile (see CMakeLists.txt); keep the two in step.
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/config.hpp"
#include "http/errors.hpp"
#include "http/router.hpp"
#include "plugins/abi.hpp"
#include "plugins/plugin_host.hpp"
#include "server/beast_method.hpp"
#include "server/routes/api_routes.hpp"
#include "settings/settings_runtime.hpp"
#include "setup/database_manager.hpp"
#include "setup/init_pipeline.hpp"

// The example plugin, compiled into this harness (plugins/example/example_plugin.cpp).
extern "C" const DsPluginEntry* deploystack_plugin_entry();

namespace {

namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;
using ds::http::Method;
using ds::http::Request;
using ds::http::Response;

// The server's limits (src/server/server.cpp and Server::Options).
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kBodyLimit = 1 << 20;
constexpr int kMaxRequestsPerInput = 8;

[[noreturn]] void fail(const char* what, const Response& response) {
  std::fprintf(stderr, "http_request_fuzzer: %s: status %d body %s\n", what, response.status,
               response.body.c_str());
  std::abort();
}

void check(const Response& response) {
  if (response.status < 100 || response.status >= 500)
    fail("5xx or bad status for client input", response);
  if (response.status != 204 && response.content_type == ds::http::kJsonContentType &&
      !nlohmann::json::accept(response.body)) {
    fail("response body is not valid JSON", response);
  }
}

// Everything the server builds at start, set up once on a SQLite database in a fresh folder
// (under /dev/shm when there is one: fsync there costs nothing).
struct Server {
  fs::path dir;
  ds::Config config;
  std::unique_ptr<ds::plugins::PluginHost> plugins;
  std::unique_ptr<ds::settings::SettingsRuntime> settings;
  std::unique_ptr<ds::setup::DatabaseManager> manager;
  ds::http::Router router;

  Server() {
    const fs::path base =
        fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "ds-http-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    // Built-in plugins find their migrations in the working folder.
    fs::copy(fs::path(DS_SOURCE_DIR) / "plugins/example/migrations", dir / "migrations",
             fs::copy_options::recursive);
    fs::create_directories(dir / "plugins");
    if (chdir(dir.c_str()) != 0) std::abort();

    config.migrations_dir = (fs::path(DS_SOURCE_DIR) / "drizzle/migrations_sqlite").string();
    config.data_dir = dir / "persistent_data";
    config.sqlite_path = config.data_dir / "database/deploystack.db";
    config.plugins_path = dir / "plugins";
    config.admin_token = ds::Secret("fuzz-admin-token");
    config.encryption_secret = ds::Secret("fuzz-encryption-secret-0123456789abcdef");
    config.log_level = "off";
    spdlog::set_level(spdlog::level::off);

    const std::vector<ds::plugins::PluginFactory> builtins = {
        [] { return ds::plugins::PluginPtr(deploystack_plugin_entry()->create()); }};
    plugins = std::make_unique<ds::plugins::PluginHost>(
        ds::plugins::HostOptions{config.plugins_path, true}, builtins, ds::plugins::core_claims());
    settings = std::make_unique<ds::settings::SettingsRuntime>(
        config, ds::plugins::settings_registry(*plugins));
    manager = std::make_unique<ds::setup::DatabaseManager>(
        config, ds::setup::init_pipeline(config, *settings, *plugins));
    settings->attach(*manager);
    manager->boot();
    if (manager->setup(ds::DatabaseType::sqlite).outcome != ds::setup::SetupResult::Outcome::ok)
      std::abort();

    ds::http::add_api_routes(router, *manager, *settings, *plugins, config);
  }
};

Server* server = nullptr;

Response invoke(const ds::http::Router::Route& route, const Request& request) {
  try {
    return route.handler(request);
  } catch (...) {
    return ds::http::response_for_current_exception("fuzz");
  }
}

// One request from the front of `input`; false when the connection would end here.
bool serve_one(std::string_view& input) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.eager(false);
  boost::system::error_code ec;
  auto feed = [&] {
    while (!ec && !input.empty() && !(parser.is_header_done() && !parser.eager()) &&
           !parser.is_done()) {
      const auto used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
      if (ec == bhttp::error::need_more) {
        // Everything there was is in the parser's buffer: the peer would now close.
        ec = {};
        input = {};
        parser.put_eof(ec);
        break;
      }
      input.remove_prefix(used);
    }
  };
  feed();
  if (ec || !parser.is_header_done()) {
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      check(ds::http::bad_http_request("Malformed HTTP request: " + ec.message()));
    }
    return false;
  }
  parser.body_limit(kBodyLimit);

  auto& msg = parser.get();
  const std::string_view target = msg.target();
  const auto qmark = target.find('?');
  Request request;
  request.method = ds::http::to_method(msg.method());
  request.method_name = msg.method_string();
  request.path = target.substr(0, qmark);
  request.query = qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  const auto match = server->router.match(request.method, request.path);
  // 404 and 405 build their bodies from the same untrusted path (status_error); the 405
  // helper's signature is changing, so the harness builds that body the same way itself.
  auto route_error = [&] {
    return match.path_known
               ? ds::http::status_error(405, "Method " + std::string(request.method_name) +
                                                 " not allowed on " + std::string(request.path))
               : ds::http::route_not_found(request.method_name, request.path);
  };

  const auto declared = parser.content_length();
  if (msg.version() != 10 && msg.version() != 11) {
    check(ds::http::bad_http_request("Malformed HTTP request: unsupported HTTP version"));
    return false;
  }
  if (declared && *declared > kBodyLimit) {
    check(match.route != nullptr ? ds::http::payload_too_large(kBodyLimit) : route_error());
    return false;
  }
  parser.eager(true);
  feed();
  if (!ec && !parser.is_done()) return false;  // the peer closed mid-body
  if (ec == bhttp::error::body_limit) {
    check(match.route != nullptr ? ds::http::payload_too_large(kBodyLimit) : route_error());
    return false;
  }
  if (ec) {
    if (ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category() ||
        ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
      return false;
    }
    check(ds::http::bad_http_request("Malformed HTTP request: " + ec.message()));
    return false;
  }
  if (match.route == nullptr) {
    check(route_error());
    return msg.keep_alive();
  }
  request.params = match.params;
  request.content_type = msg[bhttp::field::content_type];
  request.authorization = msg[bhttp::field::authorization];
  request.body = msg.body();
  check(invoke(*match.route, request));
  return msg.keep_alive();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  server = new Server();  // lives for the whole run
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequestsPerInput && !input.empty(); ++i) {
    if (!serve_one(input)) break;
  }
  return 0;
}
