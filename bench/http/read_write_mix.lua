-- wrk: nine reads (GET /api/projects?limit=20) for each write (POST /api/projects).
local read, write
local n = 0

function init(args)
  read = wrk.format("GET", "/api/projects?limit=20")
  write = wrk.format("POST", "/api/projects", { ["Content-Type"] = "application/json" },
    '{"name":"bench","description":"a project written by the mixed benchmark"}')
end

function request()
  n = n % 10 + 1
  if n == 10 then return write end
  return read
end
