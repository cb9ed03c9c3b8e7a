// Streaming reads on Turso: Connection::stream() over N rows of about 100 bytes, through the
// `/v3/cursor` path or the pipeline path (execute, then the rows from the collected Result:
// what stream() does on a server without the cursor), one path per process so that each
// peak RSS is its own. Prints the peak RSS growth over the read (getrusage ru_maxrss) and
// rows/s. Any failure (an error, a row missing or wrong) exits non-zero: a failure is never
// a figure. Run by scripts/bench-turso-stream.sh, which starts the server.
//   turso_stream_bench URL fill ROWS
//   turso_stream_bench URL cursor|pipeline ROWS
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "db/result.hpp"
#include "db/row.hpp"
#include "db/turso/turso_database.hpp"

namespace {

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

constexpr std::string_view kSql = "SELECT id, body FROM bench_rows ORDER BY id";

int run(const std::string& url, std::string_view mode, long rows) {
  ds::TursoOptions options{.url = url, .token = ds::Secret("bench")};
  // The pipeline's one answer is just under the default 16 MiB limit at 100k rows; the
  // cursor's limit is per line, so it keeps the default.
  if (mode == "pipeline") options.max_response_bytes = std::size_t{1} << 30;
  ds::db::TursoDatabase db(options);
  if (mode == "fill") {
    db.execute("DROP TABLE IF EXISTS bench_rows");
    db.execute("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    // ~100 bytes a row: an id and 90 characters of text.
    const ds::db::Value n[] = {std::int64_t{rows}};
    db.execute(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?1) "
        "INSERT INTO bench_rows (id, body) SELECT x, printf('%090d', x) FROM c",
        n);
    const auto count = db.execute("SELECT count(*) FROM bench_rows");
    if (std::get<std::int64_t>(count.cells.at(0)) != rows) {
      std::fprintf(stderr, "fill: the table does not hold %ld rows\n", rows);
      return 1;
    }
    return 0;
  }
  if (mode != "cursor" && mode != "pipeline") {
    std::fprintf(stderr, "unknown mode: %.*s\n", static_cast<int>(mode.size()), mode.data());
    return 2;
  }
  db.execute("SELECT 1");  // the connection, TLS and libcurl are part of the baseline
  std::int64_t seen = 0;
  std::size_t bytes = 0;
  bool ordered = true;
  auto sink = ds::db::row_sink([&](const ds::db::RowView& r) {
    ++seen;
    ordered = ordered && std::get<std::int64_t>(r[0]) == seen;
    bytes += std::get<std::string_view>(r[1]).size();
  });
  const long before = peak_rss_kb();
  const auto start = std::chrono::steady_clock::now();
  if (mode == "cursor") {
    db.stream(kSql, {}, sink);
    if (!db.streams_reads()) {
      std::fprintf(stderr, "cursor: the server has no /v3/cursor; nothing was measured\n");
      return 1;
    }
  } else {
    const ds::db::Result result = db.execute(kSql);
    ds::db::stream_rows(result, sink);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long growth = peak_rss_kb() - before;
  if (seen != rows || !ordered || bytes != static_cast<std::size_t>(rows) * 90) {
    std::fprintf(stderr, "%.*s: read %lld rows (ordered: %d), expected %ld\n",
                 static_cast<int>(mode.size()), mode.data(), static_cast<long long>(seen), ordered,
                 rows);
    return 1;
  }
  fmt::print("{:<8} rows={} peak_rss_growth={} KiB ({:.1f} MiB) rows_per_s={:.0f} seconds={:.2f}\n",
             mode, seen, growth, growth / 1024.0, static_cast<double>(seen) / seconds, seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s URL fill|cursor|pipeline ROWS\n", argv[0]);
    return 2;
  }
  try {
    return run(argv[1], argv[2], std::strtol(argv[3], nullptr, 10));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s failed: %s\n", argv[2], e.what());
    return 1;
  }
}
