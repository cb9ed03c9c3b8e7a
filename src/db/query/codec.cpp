#include "db/query/codec.hpp"

#include <fmt/format.h>

namespace ds::db::query {

void throw_decode_error(std::string_view column, std::string_view expected) {
  throw Error(Errc::internal, fmt::format("column {}: stored value is not {} (or is NULL)", column, expected));
}

}  // namespace ds::db::query
