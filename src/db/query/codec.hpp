#pragma once
// Converting between a column's C++ values and database Values. Which C++ values a column
// accepts is decided here (at compile time), which is what makes `name == 5` not compile.
#include <chrono>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "db/schema/column.hpp"
#include "db/row.hpp"
#include "db/value.hpp"

namespace ds::db::query {

using dsl::Kind;

template <class T> struct is_sys_time : std::false_type {};
template <class D> struct is_sys_time<std::chrono::time_point<std::chrono::system_clock, D>> : std::true_type {};

template <class V>
concept StringLike = std::is_convertible_v<const V&, std::string_view>;
template <class V>
concept IntegerLike = std::integral<V> && !std::same_as<V, bool> && !std::same_as<V, char>;

// Whether a value of C++ type V may be stored in / compared with a column of kind K.
template <Kind K, class V>
inline constexpr bool accepts = [] {
  using U = std::remove_cvref_t<V>;
  if constexpr (K == Kind::text || K == Kind::json) return StringLike<U>;
  else if constexpr (K == Kind::numeric) return StringLike<U> || IntegerLike<U> || std::floating_point<U>;
  else if constexpr (K == Kind::integer) return IntegerLike<U>;
  else if constexpr (K == Kind::boolean) return std::same_as<U, bool>;
  else if constexpr (K == Kind::timestamp || K == Kind::timestamp_ms) return is_sys_time<U>::value;
  else if constexpr (K == Kind::real) return IntegerLike<U> || std::floating_point<U>;
  else return std::same_as<U, db::Blob>;
}();

// The database Value for `v` stored in a column of kind K.
template <Kind K, class V>
Value encode(V&& v) {
  using U = std::remove_cvref_t<V>;
  if constexpr (K == Kind::timestamp) {
    return static_cast<std::int64_t>(std::chrono::floor<std::chrono::seconds>(v).time_since_epoch().count());
  } else if constexpr (K == Kind::timestamp_ms) {
    return static_cast<std::int64_t>(std::chrono::floor<std::chrono::milliseconds>(v).time_since_epoch().count());
  } else if constexpr (K == Kind::boolean) {
    return std::int64_t{v ? 1 : 0};
  } else if constexpr (IntegerLike<U>) {
    if constexpr (K == Kind::real) return static_cast<double>(v);
    else return static_cast<std::int64_t>(v);
  } else if constexpr (std::floating_point<U>) {
    return static_cast<double>(v);
  } else if constexpr (std::same_as<U, std::string>) {
    return std::string(std::forward<V>(v));
  } else if constexpr (StringLike<U>) {
    return std::string(std::string_view(v));
  } else {
    return db::Blob(std::forward<V>(v));
  }
}

// An optional value: nullopt is NULL.
template <Kind K, class V>
Value encode(const std::optional<V>& v) {
  return v ? encode<K>(*v) : Value(nullptr);
}
template <Kind K, class V>
Value encode(std::optional<V>&& v) {
  return v ? encode<K>(std::move(*v)) : Value(nullptr);
}

[[noreturn]] void throw_decode_error(std::string_view column, std::string_view expected);

// Reads the borrowed cell `v` into `out`, a column's value type.
template <Kind K, class T>
void decode(const ValueView& v, std::string_view column, T& out) {
  if constexpr (K == Kind::text || K == Kind::json || K == Kind::numeric) {
    if (auto* s = std::get_if<std::string_view>(&v)) out.assign(s->data(), s->size());
    else if (auto* i = std::get_if<std::int64_t>(&v)) out = std::to_string(*i);
    else if (auto* d = std::get_if<double>(&v)) out = std::to_string(*d);
    else throw_decode_error(column, "text");
  } else if constexpr (K == Kind::real) {
    if (auto* d = std::get_if<double>(&v)) out = *d;
    else if (auto* i = std::get_if<std::int64_t>(&v)) out = static_cast<double>(*i);
    else throw_decode_error(column, "real");
  } else if constexpr (K == Kind::blob) {
    if (auto* b = std::get_if<std::span<const std::uint8_t>>(&v)) out.assign(b->begin(), b->end());
    else if (auto* s = std::get_if<std::string_view>(&v)) out.assign(s->begin(), s->end());
    else throw_decode_error(column, "blob");
  } else {
    std::int64_t i = 0;
    if (auto* p = std::get_if<std::int64_t>(&v)) i = *p;
    else if (auto* d = std::get_if<double>(&v)) i = static_cast<std::int64_t>(*d);
    else throw_decode_error(column, "integer");
    if constexpr (K == Kind::boolean) out = i != 0;
    else if constexpr (K == Kind::timestamp) out = T(std::chrono::seconds(i));
    else if constexpr (K == Kind::timestamp_ms) out = T(std::chrono::milliseconds(i));
    else out = i;
  }
}

template <Kind K, class T>
void decode(const ValueView& v, std::string_view column, std::optional<T>& out) {
  if (std::holds_alternative<std::nullptr_t>(v)) {
    out.reset();
    return;
  }
  decode<K>(v, column, out.emplace());
}

// Reads the borrowed cell `v` into a borrowed field (dsl::Borrowed): text as a view of the
// cell, blobs as a span; a number in a text column (a server that does not apply column
// affinity) is written into `scratch` and viewed there. Other fields as decode().
template <Kind K, class T>
void decode_borrowed(const ValueView& v, std::string_view column, std::string& scratch, T& out) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    if (auto* s = std::get_if<std::string_view>(&v)) {
      out = *s;
    } else {
      decode<K>(v, column, scratch);
      out = scratch;
    }
  } else if constexpr (std::is_same_v<T, std::span<const std::uint8_t>>) {
    if (auto* b = std::get_if<std::span<const std::uint8_t>>(&v))
      out = *b;
    else if (auto* s = std::get_if<std::string_view>(&v))
      out = {reinterpret_cast<const std::uint8_t*>(s->data()), s->size()};
    else
      throw_decode_error(column, "blob");
  } else {
    decode<K>(v, column, out);
  }
}

template <Kind K, class T>
void decode_borrowed(const ValueView& v, std::string_view column, std::string& scratch,
                     std::optional<T>& out) {
  if (std::holds_alternative<std::nullptr_t>(v)) {
    out.reset();
    return;
  }
  decode_borrowed<K>(v, column, scratch, out.emplace());
}

}  // namespace ds::db::query
