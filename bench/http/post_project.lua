-- wrk: every request creates a project (POST /api/projects with a small JSON body).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"bench","description":"a project written by the write benchmark"}'
