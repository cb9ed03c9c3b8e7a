#pragma once
// The project's error type: one class, a small set of codes. The HTTP layer maps codes to
// status codes in exactly one place (http/error_response.cpp).
#include <stdexcept>
#include <string>
#include <string_view>

namespace ds {

enum class Errc {
  validation,    // the caller's input is wrong
  conflict,      // the request clashes with the current state
  not_found,     // the thing asked for does not exist
  constraint,    // a database constraint rejected a write
  busy,          // the database is locked by someone else; retrying later may work
  io,            // the storage failed (disk, missing/corrupt file, read-only)
  storage_full,  // no space left (disk full, quota): nothing was written; free space and retry
  misuse,        // a programming error: bad SQL, wrong API use
  unavailable,   // an upstream (Turso, a missing key) cannot be reached or used now
  auth,          // an upstream refused our credentials
  internal,      // anything else
};

std::string_view to_string(Errc code) noexcept;

// The code for a failed system call's errno: storage_full for ENOSPC and EDQUOT, else io.
Errc errc_from_errno(int err) noexcept;

// What an operator reads after a storage_full message: what to do about it.
inline constexpr std::string_view kStorageFullHint = "the disk is full: free space and retry";

// Throws the Error for a system call that failed with `err`: "<context>: <strerror(err)>",
// storage_full (followed by kStorageFullHint) for ENOSPC and EDQUOT, else io.
[[noreturn]] void throw_errno(int err, std::string_view context);

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
