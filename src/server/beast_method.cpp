#include "server/beast_method.hpp"

namespace ds::http {

Method to_method(boost::beast::http::verb parsed) noexcept {
  using boost::beast::http::verb;
  switch (parsed) {
    case verb::get:
      return Method::get;
    case verb::post:
      return Method::post;
    case verb::put:
      return Method::put;
    case verb::patch:
      return Method::patch;
    case verb::delete_:
      return Method::del;
    case verb::head:
      return Method::head;
    case verb::options:
      return Method::options;
    default:
      return Method::other;
  }
}

}  // namespace ds::http
