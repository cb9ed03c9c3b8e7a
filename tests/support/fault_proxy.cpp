#include "support/fault_proxy.hpp"

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"

namespace ds::test {
namespace {

using Fault = FaultProxy::Fault;
using Wire = FakeHttpServer::Wire;

bool has_baton(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  return doc.is_object() && doc.contains("baton") && doc["baton"].is_string();
}

bool has_close(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("requests") || !doc["requests"].is_array()) return false;
  for (const auto& r : doc["requests"]) {
    if (r.is_object() && r.value("type", "") == "close") return true;
  }
  return false;
}

// Does `plan` apply to this request at all?
bool matches(const FaultProxy::Plan& plan, const FakeHttpServer::Request& r) {
  if (plan.fault == Fault::none) return false;
  if (!plan.only_if_body_contains.empty() &&
      r.body.find(plan.only_if_body_contains) == std::string::npos)
    return false;
  if (plan.fault == Fault::reject_close) return has_close(r.body);
  if (plan.fault == Fault::expire_streams) return has_baton(r.body);
  return true;
}

}  // namespace

FaultProxy::FaultProxy(std::uint16_t upstream_port)
    : upstream_port_(upstream_port),
      server_(std::make_unique<FakeHttpServer>(
          [this](const FakeHttpServer::Request& r) { return handle(r); })) {}

void FaultProxy::inject(Plan plan) {
  std::lock_guard lock(mutex_);
  plan_ = std::move(plan);
}

int FaultProxy::faults_injected() const {
  std::lock_guard lock(mutex_);
  return injected_;
}

std::size_t FaultProxy::count(const std::string& needle) const {
  std::size_t n = 0;
  for (const auto& r : requests()) n += r.body.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

FakeHttpServer::Response FaultProxy::handle(const FakeHttpServer::Request& r) {
  Plan plan;
  {
    std::lock_guard lock(mutex_);
    if (matches(plan_, r) && plan_.times != 0) {
      plan = plan_;
      ++injected_;
      if (plan_.times > 0 && --plan_.times == 0) plan_ = Plan{};
    }
  }
  const auto forward = [&] {
    // A fresh connection per request: the local tursodb closes after every answer anyway.
    HttpClient upstream("127.0.0.1", upstream_port_);
    Headers headers;
    for (const char* name : {"content-type", "authorization", "x-turso-encryption-key"}) {
      const auto it = r.headers.find(name);
      if (it != r.headers.end())
        headers.emplace_back(name, it->second);
      else if (std::string_view(name) == "content-type")
        headers.emplace_back(name, "");
    }
    FakeHttpServer::Response out;
    try {
      const auto answer = upstream.request(r.method, r.target, r.body, headers);
      out.status = answer.status;
      out.body = answer.body;
      out.content_type = answer.header("content-type");
    } catch (const std::exception&) {
      out.status = 502;  // upstream down: what a real proxy answers
      out.close = true;
    }
    return out;
  };

  switch (plan.fault) {
    case Fault::none:
      return forward();
    case Fault::reset: {
      auto out = forward();
      out.wire = Wire::reset;
      return out;
    }
    case Fault::lose_response: {
      auto out = forward();
      out.wire = Wire::drop;
      return out;
    }
    case Fault::status: {
      if (plan.forward) (void)forward();
      FakeHttpServer::Response out;
      out.status = plan.status;
      out.body =
          R"({"error":"injected HTTP )" + std::to_string(plan.status) + R"( by the fault proxy"})";
      return out;
    }
    case Fault::rate_limit: {
      FakeHttpServer::Response out;
      out.status = 429;
      out.body = R"({"error":"too many requests"})";
      out.headers.emplace_back("Retry-After", std::to_string(plan.retry_after_s));
      return out;
    }
    case Fault::hang: {
      auto out = forward();
      out.wire = Wire::hold;
      return out;
    }
    case Fault::reject_close: {
      FakeHttpServer::Response out;
      out.status = 400;
      out.body = R"({"error":"unknown request type 'close'"})";
      return out;
    }
    case Fault::expire_streams: {
      HttpClient control("127.0.0.1", upstream_port_);
      const auto expired = control.request("POST", "/_test/expire-streams", "{}");
      if (expired.status != 200) {
        FakeHttpServer::Response out;  // the test sees it fail: it asked the wrong server
        out.status = 500;
        out.body = "the upstream cannot expire streams (HTTP " + std::to_string(expired.status) +
                   "): Fault::expire_streams needs the Hrana test server";
        return out;
      }
      return forward();
    }
  }
  return forward();
}

std::map<std::string, std::string> ProxiedBackend::server_env(
    const std::filesystem::path& server_dir) {
  auto env = inner_->server_env(server_dir);
  if (!proxy_) {
    const std::string& url = env.at("TURSO_DATABASE_URL");
    const auto colon = url.rfind(':');
    proxy_ =
        std::make_unique<FaultProxy>(static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1))));
  }
  env["TURSO_DATABASE_URL"] = proxy_->url();
  return env;
}

}  // namespace ds::test
