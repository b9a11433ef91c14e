-- wrk script for bench/hearing/run.sh: an anonymous SubmitResponse as JSON
-- (Connect) through the gateway, no token. The body comes from the
-- environment; it has no requestId, so every call is a new response.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_JSON_BODY")
wrk.headers["Content-Type"] = "application/json"
