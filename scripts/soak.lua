-- The soak's request mix for wrk: project list and create, database status, and settings
-- reads with the admin token. Each thread counts answers by status; done() adds them up.
local token = os.getenv("SOAK_ADMIN_TOKEN") or ""
local requests = {}
local next_request = 0
statuses = {}

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local json = { ["Content-Type"] = "application/json" }
  local admin = { ["Authorization"] = "Bearer " .. token }
  requests = {
    wrk.format("GET", "/api/projects"),
    wrk.format("POST", "/api/projects", json, '{"name":"soak","description":"mixed load"}'),
    wrk.format("GET", "/api/db/status"),
    wrk.format("GET", "/api/projects?limit=10"),
    wrk.format("GET", "/api/settings", admin),
    wrk.format("GET", "/api/settings/groups", admin),
  }
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local keys = {}
  for status in pairs(total) do table.insert(keys, status) end
  table.sort(keys)
  local non2xx = 0
  for _, status in ipairs(keys) do
    io.write(string.format("  status %s: %d\n", status, total[status]))
    if not status:match("^2") then non2xx = non2xx + total[status] end
  end
  local e = summary.errors
  io.write(string.format("  non-2xx: %d; socket errors: connect %d, read %d, write %d, timeout %d\n",
    non2xx, e.connect, e.read, e.write, e.timeout))
  io.write(string.format("  requests: %d in %.1f s (%.0f/s), latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
