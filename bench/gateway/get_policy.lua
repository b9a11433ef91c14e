-- wrk script for bench/gateway/run.sh: GetPolicy as JSON (Connect) through
-- the gateway. The body and the bearer token come from the environment.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_JSON_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
