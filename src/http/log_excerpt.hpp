#pragma once
// Client bytes on their way into the log: bounded and escaped, so that a request cannot flood
// the log, forge log lines (CR/LF) or smuggle terminal control sequences.
#include <string>
#include <string_view>

namespace ds::http {

// At most `max_bytes` of `text`, printable ASCII as is, every other byte (and '"', '\\') as
// \xNN, "..." appended when cut. Only for logs and diagnostics, never on a hot path.
std::string log_excerpt(std::string_view text, std::size_t max_bytes = 200);

}  // namespace ds::http
