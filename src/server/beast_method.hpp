#pragma once
// The router's Method for a verb Beast parsed. A file of its own so that the HTTP fuzz harness,
// which cannot compile server.cpp's coroutines with clang 14, maps verbs exactly as the server.
#include <boost/beast/http/verb.hpp>

#include "http/request.hpp"

namespace ds::http {

Method to_method(boost::beast::http::verb verb) noexcept;

}  // namespace ds::http
