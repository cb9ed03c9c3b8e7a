#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and ":name" parameters,
// e.g. "/api/projects/:id".
#include <functional>
#include <string>
#include <vector>

#include "http/request.hpp"
#include "http/route_doc.hpp"

namespace ds::http {

using Handler = std::function<Response(const Request&)>;

enum class Execution {
  blocking,  // may wait on a database or the network: runs on the worker pool
  inline_,   // cheap and never blocks: runs on the I/O thread (e.g. status)
  // Only reads the database: runs on the I/O thread when the database's reads never wait
  // (Server::Options::reads_never_wait), else on the worker pool. The hand-off to a worker
  // and back costs more than a short embedded read.
  reads_database,
};

class Router {
 public:
  struct Route {
    Method method;
    std::vector<std::string> segments;  // ":name" marks a parameter
    Handler handler;
    Execution execution;
    RouteDoc doc;  // for the OpenAPI document only: never read while answering
  };

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    bool path_known = false;       // true: the path exists with another method (405)
    PathParams params;
  };

  void add(Method method, std::string_view pattern, Handler handler,
           Execution execution = Execution::blocking, RouteDoc doc = {});

  // The returned views point into `path` and into the router; keep both alive. HEAD matches
  // the GET route of the path (the server answers it without the body).
  Match match(Method method, std::string_view path) const;

  // The methods the path answers, for the Allow header of a 405: "GET, HEAD, POST".
  // Allocates: for error answers only.
  std::string allowed_methods(std::string_view path) const;

  // In registration order (the order match() tries them); a Match's route points into it.
  const std::vector<Route>& routes() const noexcept { return routes_; }

  // "/api/projects/:id": the pattern `route` was added with.
  static std::string pattern(const Route& route);

 private:
  std::vector<Route> routes_;
};

}  // namespace ds::http
