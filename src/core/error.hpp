#pragma once
// The project's error type: one class, a small set of codes. The HTTP layer maps codes to
// status codes in exactly one place (http/error_response.cpp).
#include <stdexcept>
#include <string>
#include <string_view>

namespace ds {

enum class Errc {
  validation,   // the caller's input is wrong
  conflict,     // the request clashes with the current state
  not_found,    // the thing asked for does not exist
  constraint,   // a database constraint rejected a write
  busy,         // the database is locked by someone else; retrying later may work
  io,           // the storage failed (disk, missing/corrupt file, read-only)
  misuse,       // a programming error: bad SQL, wrong API use
  unavailable,  // an upstream (Turso, a missing key) cannot be reached or used now
  auth,         // an upstream refused our credentials
  internal,     // anything else
};

std::string_view to_string(Errc code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string& message, int native_code = 0)
      : std::runtime_error(message), code_(code), native_code_(native_code) {}

  Errc code() const noexcept { return code_; }
  // The driver's own code when there is one (SQLite's extended result code), else 0.
  int native_code() const noexcept { return native_code_; }

 private:
  Errc code_;
  int native_code_;
};

}  // namespace ds
