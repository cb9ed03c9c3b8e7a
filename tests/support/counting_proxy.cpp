#include "support/counting_proxy.hpp"

#include "support/http_client.hpp"

namespace ds::test {

CountingProxy::CountingProxy(std::uint16_t upstream_port)
    : server_(std::make_unique<FakeHttpServer>([upstream_port](const FakeHttpServer::Request& r) {
        // A fresh connection per request: the local tursodb closes after every answer anyway.
        HttpClient upstream("127.0.0.1", upstream_port);
        const auto type = r.headers.find("content-type");
        const Headers headers = {{"content-type", type == r.headers.end() ? "" : type->second}};
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
      })) {}

}  // namespace ds::test
