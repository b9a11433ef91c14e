#!/usr/bin/env bash
# Many clients submitting responses to one public hearing at once, through
# the gateway, on SQLite; then every response counted.
#
# The call: HearingService/SubmitResponse, anonymous, to an open public
# hearing of municipality 190, without request_id (every call is a new
# response). Made with h2load (gRPC, 16 connections x 16 streams) and with
# wrk (JSON through the gateway). Paths:
#   gateway   h2load -> gateway (gRPC, anonymous) -> hearing_server
#   direct    h2load -> hearing_server (h2c)
#   json      wrk -> gateway (Connect JSON, anonymous) -> hearing_server
# Every run gets a fresh hearing of its own (r<round>-<path>), so the runs
# start alike; the paths are interleaved, the order rotating each round.
# After each run the responses are counted: rows in the SQLite file, events
# in the change feed, and ListResponses through the gateway, against the OK
# calls in hearing_server's call log and in the gateway's access and audit
# logs. "Lost": a response the gateway answered OK (its audit log names it)
# that is not stored; "extra": stored responses beyond hearing_server's OK
# calls. Prints a summary and writes it to $1 if given.
#
# Usage: bench/hearing/run.sh [SUMMARY_FILE]
# Environment:
#   BENCH_SECONDS=15      measured seconds per run
#   BENCH_WARMUP=3        warm-up seconds before each run (its calls are
#                         stored and counted too)
#   BENCH_ROUNDS=3        runs per path
#   BENCH_PATHS="gateway direct json"
#   BENCH_TARGET=2000     the aim, responses/s through the gateway (gRPC)
#   BENCH_LOADGEN_CPUS=   e.g. 1: pin h2load/wrk with taskset -c (default none)
#   BENCH_SERVER_CPUS=    e.g. 0: pin the servers (default none)
#   BENCH_OUT_DIR=        keep the raw outputs (h2load, wrk, top, counts,
#                         growth of each hearing per second) in this folder
#   BENCH_KEEP=1          keep the temporary folder (logs, databases)
#   BENCH_BUILD_LOCK=/tmp/kommune-build.lock   held while measuring so no
#                         build competes for the CPUs; empty to skip
#   KOMMUNE_BUILD_DIR     where the binaries are (default build/)
# The binaries are not built here: build them first (tools/test.sh -N).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/common.sh"
shopt -s inherit_errexit  # a failed call inside $(...) stops the bench too
HERE="$ROOT/bench/hearing"
BIN="$BUILD/bin"

SUMMARY_FILE="${1:-}"
SECONDS_RUN="${BENCH_SECONDS:-15}"
WARMUP="${BENCH_WARMUP:-3}"
ROUNDS="${BENCH_ROUNDS:-3}"
read -r -a PATHS <<<"${BENCH_PATHS:-gateway direct json}"
TARGET="${BENCH_TARGET:-2000}"
LOADGEN_CPUS="${BENCH_LOADGEN_CPUS:-}"
SERVER_CPUS="${BENCH_SERVER_CPUS:-}"
LOCK="${BENCH_BUILD_LOCK-/tmp/kommune-build.lock}"
CONNS=16 STREAMS=16 WRK_THREADS=2 WRK_CONNS=32
MUNICIPALITY=190 POLICY_ID=bench
METHOD=kommune.hearing.v1.HearingService/SubmitResponse
RESPONSE_TEXT="Et høringssvar fra en borger: jeg støtter visionen om at alle er med, men savner konkrete mål for de næste fire år og en plan for, hvordan borgerne inddrages undervejs."

PACKAGES=(nghttp2-client wrk protobuf-compiler libprotobuf-dev curl procps
          iproute2 util-linux bc jq sqlite3)
install_missing_packages "${PACKAGES[@]}"

source "$ROOT/bench/lib.sh"
bench_wait_for_binaries policy_server hearing_server gateway devtoken
bench_setup hearing

# launch LOG TEXT COMMAND...: starts a server (pinned with the others) and
# waits for TEXT in its log with wait_for_log. Returns 1 if the server died
# because its port was taken in the meantime (free_port only looks; other
# jobs on the machine pick ports too); exits with the log shown if it died
# for another reason. LAUNCHED is its pid.
launch() {
  local log="$1" text="$2"; shift 2
  # Appending, so the log can be emptied between runs.
  start "$SERVER_CPUS" "$@" >>"$log.stdout" 2>>"$log" 9>&- &
  LAUNCHED=$!
  if (wait_for_log "$log" "$text" "$LAUNCHED") 2>/dev/null; then
    PIDS+=("$LAUNCHED")
    return 0
  fi
  kill "$LAUNCHED" 2>/dev/null || true
  wait "$LAUNCHED" 2>/dev/null || true
  if grep -q -i 'address already in use' "$log"; then
    say "A port was taken meanwhile; trying others"
    : >"$log"
    return 1
  fi
  echo "did not start; its log ($log):" >&2
  cat "$log" >&2
  exit 1
}

# --- The policy and hearing services on fresh SQLite files -------------------
SECRET_FILE="$T/gateway/identity-secret"
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SECRET_FILE")
PS_LOG="$T/policy_server.log"
HS_LOG="$T/hearing_server.log"
HS_DB="$T/hearing.db"
for attempt in 1 2 3 4 5 X; do
  [ "$attempt" = X ] && { echo "policy_server: no free port" >&2; exit 1; }
  free_port PS_PORT
  launch "$PS_LOG" '"serving"' "$BIN/policy_server" \
    --listen="127.0.0.1:$PS_PORT" --database="sqlite://$T/policy.db" \
    --identity_secret_file="$SECRET_FILE" && break
done
PS_PID=$LAUNCHED
for attempt in 1 2 3 4 5 X; do
  [ "$attempt" = X ] && { echo "hearing_server: no free port" >&2; exit 1; }
  free_port HS_PORT
  launch "$HS_LOG" '"serving"' "$BIN/hearing_server" \
    --listen="127.0.0.1:$HS_PORT" --database="sqlite://$HS_DB" \
    --identity_secret_file="$SECRET_FILE" \
    --policy_address="127.0.0.1:$PS_PORT" && break
done
HS_PID=$LAUNCHED
say "policy_server on 127.0.0.1:$PS_PORT, hearing_server on 127.0.0.1:$HS_PORT (SQLite in $T)"

# --- The gateway from the development configuration ---------------------------
# Authentication (JWT) and the access rules stay as they are (SubmitResponse
# is open to anonymous callers); the backends point at the servers above;
# the rate limits are raised far above what the bench can send (the limiter
# still runs: anonymous callers are limited per client address).
SECRETARY_TOKEN="$("$BIN/devtoken" --key_dir="$T/gateway" \
  --issuer=https://devtoken.kommune.local --audience=kommune-gateway \
  --subject=secretary@kommune.dk --municipalities="$MUNICIPALITY" \
  --roles=editor,secretary 2>/dev/null)"
CONF="$T/gateway/gateway.textproto"
write_gateway_conf() {
  sed -e "s|^grpc { address: .*|grpc { address: \"127.0.0.1:$GW_GRPC\" }|" \
      -e "s|^http { address: .*|http { address: \"127.0.0.1:$GW_HTTP\" }|" \
      -e "s|^admin { address: .*|admin { address: \"127.0.0.1:$GW_ADMIN\" }|" \
      -e "s|^  addresses: \"127.0.0.1:50051\"|  addresses: \"127.0.0.1:$PS_PORT\"|" \
      -e "s|^  addresses: \"127.0.0.1:50052\"|  addresses: \"127.0.0.1:$HS_PORT\"|" \
      -e '/^rate_limits {/,/^}/c\
rate_limits {\
  per_municipality { rate_per_second: 1e9 burst: 1000000000 }\
  per_caller { rate_per_second: 1e9 burst: 1000000000 }\
}' \
      -e '/^logs {/,/^}/c\
logs {\
  access_log_file: "access.log"\
  audit_log_file: "audit.log"\
}' "$ROOT/gateway/dev/gateway.textproto" >"$CONF"
  local want
  for want in "127.0.0.1:$GW_GRPC" "127.0.0.1:$PS_PORT" "127.0.0.1:$HS_PORT" \
              "rate_per_second: 1e9" 'access_log_file: "access.log"' \
              'jwks_file: "jwks.json"' 'identity_secret_file: "identity-secret"' \
              "$METHOD"; do
    grep -qF "$want" "$CONF" || {
      echo "$CONF: could not set $want (gateway/dev/gateway.textproto changed?)" >&2
      exit 1
    }
  done
}
GW_LOG="$T/gateway.log"
for attempt in 1 2 3 4 5 X; do
  [ "$attempt" = X ] && { echo "gateway: no free ports" >&2; exit 1; }
  free_port GW_GRPC; free_port GW_HTTP; free_port GW_ADMIN
  write_gateway_conf
  launch "$GW_LOG" "gateway listening" "$BIN/gateway" --config="$CONF" && break
done
GW_PID=$LAUNCHED
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$GW_ADMIN/readyz" >/dev/null && break
  sleep 0.1
done
say "gateway: gRPC 127.0.0.1:$GW_GRPC, JSON 127.0.0.1:$GW_HTTP"
ACCESS_LOG="$T/gateway/access.log"
AUDIT_LOG="$T/gateway/audit.log"

# api METHOD JSON: one call through the gateway's JSON side as the
# secretary; prints the answer, fails on anything but HTTP 200.
API_N=0
api() {
  API_N=$((API_N + 1))
  local out="$R/api-$API_N.json" code
  code=$(curl -sS -o "$out" -w '%{http_code}' \
    -H "Authorization: Bearer $SECRETARY_TOKEN" \
    -H 'Content-Type: application/json' -d "$2" \
    "http://127.0.0.1:$GW_HTTP/$1")
  if [ "$code" != 200 ]; then
    echo "$1 answered HTTP $code:" >&2
    cat "$out" >&2
    echo >&2
    return 1
  fi
  cat "$out"
}

# --- A draft policy, and open public hearings of its revision ----------------
say "Creating municipalities/$MUNICIPALITY/policies/$POLICY_ID"
policy=$(api kommune.policy.v1.PolicyService/CreatePolicy "{
  \"parent\": \"municipalities/$MUNICIPALITY\", \"policyId\": \"$POLICY_ID\",
  \"policy\": {\"displayName\": \"Bench\",
    \"period\": {\"startDate\": {\"year\": 2026, \"month\": 1, \"day\": 1},
                 \"endDate\": {\"year\": 2029, \"month\": 12, \"day\": 31}},
    \"content\": {\"visionStatements\": [{\"text\": \"Alle er med\"}]}}}")
REVISION=$(jq -r '.revisionId // empty' <<<"$policy")
[ -n "$REVISION" ] || { echo "CreatePolicy: no revisionId in $policy" >&2; exit 1; }
POLICY_REVISION="municipalities/$MUNICIPALITY/policies/$POLICY_ID@$REVISION"

json_date() {  # json_date DATE-EXPRESSION: {"year":..} for a day in Denmark
  TZ=Europe/Copenhagen date -d "$1" '+{"year": %Y, "month": %-m, "day": %-d}'
}
OPEN_DATE=$(json_date today)
DEADLINE=$(json_date '+1 month')

# open_hearing ID: creates and opens a public hearing; prints its name.
open_hearing() {
  local name="municipalities/$MUNICIPALITY/hearings/$1" answer
  api kommune.hearing.v1.HearingService/CreateHearing "{
    \"parent\": \"municipalities/$MUNICIPALITY\", \"hearingId\": \"$1\",
    \"hearing\": {\"displayName\": \"Bench $1\",
      \"policyRevision\": \"$POLICY_REVISION\", \"kind\": \"HEARING_KIND_PUBLIC\",
      \"openDate\": $OPEN_DATE, \"deadline\": $DEADLINE,
      \"letter\": {\"text\": \"Høring\"}}}" >/dev/null
  answer=$(api kommune.hearing.v1.HearingService/OpenHearing \
    "{\"name\": \"$name\"}")
  [ "$(jq -r .state <<<"$answer")" = HEARING_STATE_OPEN ] || {
    echo "OpenHearing $name: not open: $answer" >&2; return 1; }
  echo "$name"
}
say "Opening the public hearing municipalities/$MUNICIPALITY/hearings/bench of $POLICY_REVISION"
CHECK_HEARING=$(open_hearing bench)

# --- The requests -----------------------------------------------------------------
# grpc_body PARENT FILE: the protobuf request behind the 5-byte gRPC frame
# header.
grpc_body() {
  printf 'parent: "%s"\nresponse {\n  responder { display_name: "Borger" consent: true anonymous: true }\n  text: "%s"\n}\n' \
      "$1" "$RESPONSE_TEXT" |
    protoc --encode=kommune.hearing.v1.SubmitResponseRequest -I "$ROOT/proto" \
      -I /usr/include kommune/hearing/v1/hearing_service.proto >"$2.pb"
  local n
  n=$(stat -c %s "$2.pb")
  {
    printf '\x00'
    printf "\\x$(printf %02x $((n >> 24 & 255)))"
    printf "\\x$(printf %02x $((n >> 16 & 255)))"
    printf "\\x$(printf %02x $((n >> 8 & 255)))"
    printf "\\x$(printf %02x $((n & 255)))"
    cat "$2.pb"
  } >"$2"
}
json_body() {  # json_body PARENT: the same request as JSON
  jq -cn --arg parent "$1" --arg text "$RESPONSE_TEXT" '{parent: $parent,
    response: {responder: {displayName: "Borger", consent: true,
                           anonymous: true}, text: $text}}'
}
grpc_body "$CHECK_HEARING" "$T/check.grpc"
REQ_BYTES=$(stat -c %s "$T/check.grpc.pb")

declare -A URL=(
  [gateway]="http://127.0.0.1:$GW_GRPC/$METHOD"
  [direct]="http://127.0.0.1:$HS_PORT/$METHOD"
  [json]="http://127.0.0.1:$GW_HTTP/$METHOD"
)
declare -A LABEL=(
  [gateway]="gateway gRPC (anonymous) -> hearing_server"
  [direct]="direct gRPC -> hearing_server"
  [json]="gateway JSON (anonymous), wrk"
)
GRPC_HEADERS=(-H 'content-type: application/grpc' -H 'te: trailers')

# sql QUERY: one answer from the hearing service's SQLite file (read while
# the server writes: WAL mode).
sql() { sqlite3 -cmd '.timeout 10000' "$HS_DB" "$1"; }
stored_count() {  # stored_count HEARING
  sql "SELECT COUNT(*) FROM hearing_responses WHERE hearing = '$1'"
}

# list_count HEARING: responses ListResponses shows the secretary, paging
# with nextPageToken (the service caps a page at 500).
list_count() {
  local token="" n=0 page body
  while :; do
    body=$(jq -cn --arg p "$1" --arg t "$token" \
             '{parent: $p, pageSize: 1000} + (if $t == "" then {} else {pageToken: $t} end)')
    page=$(api kommune.hearing.v1.HearingService/ListResponses "$body")
    n=$((n + $(jq '.responses // [] | length' <<<"$page")))
    token=$(jq -r '.nextPageToken // empty' <<<"$page")
    [ -z "$token" ] && break
  done
  echo "$n"
}

# --- One real call on every path: grpc-status 0 and a stored response ----------
for p in gateway direct; do
  before=$(stored_count "$CHECK_HEARING")
  nghttp -v -d "$T/check.grpc" "${GRPC_HEADERS[@]}" "${URL[$p]}" \
    >"$R/check-$p.txt" 2>&1 || true
  status=$(grep -a -m1 -o 'grpc-status: [0-9]*' "$R/check-$p.txt" || true)
  after=$(stored_count "$CHECK_HEARING")
  if [ "$status" != "grpc-status: 0" ] || [ "$after" != $((before + 1)) ]; then
    echo "$p: the check call failed ($status; stored $before -> $after); nghttp said:" >&2
    grep -a -E 'grpc-|:status' "$R/check-$p.txt" >&2
    exit 1
  fi
  say "check $p: grpc-status 0, one more response stored"
done
code=$(curl -sS -o "$R/check-json.txt" -w '%{http_code}' \
  -H 'Content-Type: application/json' -d "$(json_body "$CHECK_HEARING")" \
  "${URL[json]}")
if [ "$code" != 200 ] || ! grep -q "$CHECK_HEARING/responses/3" "$R/check-json.txt"; then
  echo "json: the check call answered HTTP $code:" >&2
  cat "$R/check-json.txt" >&2
  exit 1
fi
# Anonymous responders do not see the responses before the deadline; the
# secretary does.
[ "$(list_count "$CHECK_HEARING")" = 3 ] || {
  echo "ListResponses of $CHECK_HEARING does not show the 3 check responses" >&2
  exit 1; }
say "check json: HTTP 200 with $CHECK_HEARING/responses/3; ListResponses shows 3"

# --- Accounting ----------------------------------------------------------------

TSV="$R/runs.tsv"
printf 'round\tpath\tresponses_per_s\tsucceeded\tfailed\terrored\tnon_2xx\tbackend_ok\tbackend_not_ok\taccess_log_ok\taccess_log_not_ok\taudit_ok_names\tstored\tdistinct_seq\tevents\tlisted\tlost\textra\tcpu_hearing_server\tcpu_gateway\tcpu_policy_server\tcpu_loadgen\tcpu_softirq\tcpu_iowait\tcpu_busy\twall_s\tmean_latency_ms\tfirst_3s_per_s\tlast_3s_per_s\n' >"$TSV"
CODES="$R/not-ok-codes.txt"
: >"$CODES"

# settle HEARING: waits until the hearing's responses and the logs have not
# changed for a second; SETTLED_AT is when they last did.
settle() {
  local prev="" cur
  SETTLED_AT=$(date +%s.%N)
  for _ in $(seq 1 300); do
    cur="$(stored_count "$1") $(wc -l <"$HS_LOG") $(wc -l <"$ACCESS_LOG")"
    [ "$cur" = "$prev" ] && return 0
    prev=$cur
    SETTLED_AT=$(date +%s.%N)
    sleep 1
  done
  say "WARNING: $1 still grows 5 minutes after the load stopped; counting anyway"
}

run_one() {  # run_one ROUND PATH
  local round="$1" p="$2" out="$R/$2-$1.txt" hearing
  hearing=$(open_hearing "r$round-$p")
  local gw=""
  [ "$p" != direct ] && gw=1
  local body="$T/$p-$round.grpc" json=""
  if [ "$p" = json ]; then json=$(json_body "$hearing"); else grpc_body "$hearing" "$body"; fi
  : >"$HS_LOG"
  : >"$ACCESS_LOG"
  : >"$AUDIT_LOG"
  local hs0 gw0 ps0 m0 t0
  hs0=$(cpu_ticks "$HS_PID"); gw0=$(cpu_ticks "$GW_PID"); ps0=$(cpu_ticks "$PS_PID")
  m0=$(machine_ticks); t0=$(date +%s.%N)
  # A snapshot of top in the middle of each path's first run.
  if [ "$round" = 1 ]; then
    (sleep $((WARMUP + SECONDS_RUN / 2)); top -b -n2 -d2 -w 200 |
       awk '/^top -/{n++} n==2 && c++ < 20' >"$R/top-$p.txt") 9>&- &
  fi
  # The stored responses twice a second: milliseconds since the start, count.
  local growth="$R/growth-$p-$round.txt"
  (start_ns=$(date +%s%N)
   while :; do
     n=$(stored_count "$hearing" 2>/dev/null || echo -)
     echo "$(( ($(date +%s%N) - start_ns) / 1000000 )) $n"
     sleep 0.5
   done >"$growth") 9>&- &
  local sampler=$!
  # The load generator runs in a subshell whose `times` is its CPU use.
  if [ "$p" = json ]; then
    pin "$LOADGEN_CPUS" env BENCH_JSON_BODY="$json" \
      wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARMUP}s" \
      -s "$HERE/submit_response.lua" "${URL[json]}" >"$out.warmup" 2>&1 9>&-
    (pin "$LOADGEN_CPUS" env BENCH_JSON_BODY="$json" \
       wrk -t"$WRK_THREADS" -c"$WRK_CONNS" \
       -d"${SECONDS_RUN}s" -s "$HERE/submit_response.lua" "${URL[json]}" \
       >"$out" 2>&1 9>&-; times >"$out.times")
  else
    (pin "$LOADGEN_CPUS" h2load -c"$CONNS" -m"$STREAMS" -t1 \
       -D "$SECONDS_RUN" --warm-up-time="$WARMUP" -d "$body" \
       "${GRPC_HEADERS[@]}" "${URL[$p]}" >"$out" 2>&1 9>&-
     times >"$out.times")
  fi
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  # The calls in flight when the load generator stops are still served:
  # count once the hearing and the logs have stopped growing. The CPU and
  # the wall time are taken then, so they cover every stored response.
  settle "$hearing"
  local t1 m1 hs1 gw1 ps1
  t1=$SETTLED_AT; m1=$(machine_ticks)
  hs1=$(cpu_ticks "$HS_PID"); gw1=$(cpu_ticks "$GW_PID"); ps1=$(cpu_ticks "$PS_PID")

  local rate succeeded failed errored non2xx
  if [ "$p" = json ]; then
    rate=$(awk '/^Requests\/sec:/{print $2}' "$out")
    succeeded=$(awk '/requests in/{print $1}' "$out")
    failed=$(awk '/^  Socket errors:/{gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")
    errored=0
    non2xx=$(awk '/Non-2xx or 3xx responses:/{print $NF}' "$out")
  else
    rate=$(awk '/^finished in/{print $4}' "$out")
    read -r succeeded failed errored < <(awk '/^requests:/{print $8, $10, $12}' "$out")
    non2xx=$(awk '/^status codes:/{print $5 + $7 + $9}' "$out")
  fi
  if [ -z "$rate" ]; then
    echo "$p round $round: no result; the load generator said:" >&2
    cat "$out" >&2
    exit 1
  fi
  local latency
  latency=$(awk 'function ms(v) {
                   if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
                   if (v ~ /s$/) return v * 1000; return v }
                 /^time for request:/ {print ms($6)} /^ +Latency/ {print ms($2)}' "$out")

  # --- Count: the logs against what is stored.
  local b_ok b_bad a_ok=0 a_bad=0 audit_ok=0 lost=0
  b_ok=$(grep -a -F '/SubmitResponse"' "$HS_LOG" | grep -a -c -F '"code":"OK"' || true)
  b_bad=$(grep -a -F '/SubmitResponse"' "$HS_LOG" | grep -a -v -c -F '"code":"OK"' || true)
  local names="$R/stored-$p-$round.txt"
  sql "SELECT name FROM hearing_responses WHERE hearing = '$hearing'" | sort >"$names"
  local stored distinct events listed
  stored=$(wc -l <"$names")
  distinct=$(sql "SELECT COUNT(DISTINCT seq) FROM hearing_responses WHERE hearing = '$hearing'")
  events=$(sql "SELECT COUNT(*) FROM events WHERE type = 'response.submitted'
                AND resource LIKE '$hearing/responses/%'")
  listed=$(list_count "$hearing")
  if [ -n "$gw" ]; then
    # The access log without the ListResponses calls just made.
    a_ok=$(grep -a -F 'SubmitResponse"' "$ACCESS_LOG" | grep -a -c -F '"code":"ok"' || true)
    a_bad=$(grep -a -F 'SubmitResponse"' "$ACCESS_LOG" | grep -a -v -c -F '"code":"ok"' || true)
    jq -r 'select(.code == "ok" and (.method | endswith("SubmitResponse"))) | .result' \
      "$AUDIT_LOG" | sort >"$R/audit-ok-$p-$round.txt"
    audit_ok=$(wc -l <"$R/audit-ok-$p-$round.txt")
    # Answered OK by the gateway, yet not stored.
    lost=$(comm -23 "$R/audit-ok-$p-$round.txt" "$names" | wc -l)
    [ "$(sort -u "$R/audit-ok-$p-$round.txt" | wc -l)" = "$audit_ok" ] || {
      say "WARNING: $p round $round: the gateway answered the same response name twice"
      lost=$((lost + audit_ok - $(sort -u "$R/audit-ok-$p-$round.txt" | wc -l))); }
  fi
  local extra=$((stored - b_ok))
  { grep -a -F '/SubmitResponse"' "$HS_LOG" | grep -a -v -F '"code":"OK"' |
      grep -a -o '"code":"[A-Z_]*"' | sed "s/^/$p hearing_server /" || true
    if [ -n "$gw" ]; then
      grep -a -F 'SubmitResponse"' "$ACCESS_LOG" | grep -a -v -F '"code":"ok"' |
        grep -a -o '"code":"[a-z_]*"' | sed "s/^/$p gateway_access_log /" || true
    fi; } >>"$CODES"

  # Stored responses per second at the start and at the end of the measured
  # part (from the growth samples), to see whether a growing hearing slows.
  local first last
  read -r first last < <(awk -v w=$((WARMUP * 1000)) -v d=$((SECONDS_RUN * 1000)) '
      $2 ~ /^[0-9]+$/ { t[n] = $1; c[n] = $2; n++ }
      END {
        # Samples closest to the window: [w, w+3 s] and [w+d-3 s, w+d].
        for (i = 0; i < n; i++) {
          if (a == "" && t[i] >= w) a = i
          if (t[i] <= w + d) z = i }
        if (a == "" || z == "") { print 0, 0; exit }
        for (b = a; b < n - 1 && t[b] - t[a] < 3000; b++);
        for (y = z; y > 0 && t[z] - t[y] < 3000; y--);
        f = (t[b] > t[a]) ? 1000 * (c[b] - c[a]) / (t[b] - t[a]) : 0
        l = (t[z] > t[y]) ? 1000 * (c[z] - c[y]) / (t[z] - t[y]) : 0
        printf "%.0f %.0f\n", f, l }' "$growth")

  local loadgen
  loadgen=$(sed -n 2p "$out.times" | awk '{
      n = split($0, f, " "); s = 0
      for (i = 1; i <= n; i++) { split(f[i], a, "m"); sub("s", "", a[2]); s += a[1] * 60 + a[2] }
      print s }')
  read -r -a m0a <<<"$m0"; read -r -a m1a <<<"$m1"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t%s\t%s\n' \
    "$round" "$p" "$rate" "${succeeded:-0}" "${failed:-0}" "${errored:-0}" \
    "${non2xx:-0}" "$b_ok" "$b_bad" "$a_ok" "$a_bad" "$audit_ok" \
    "$stored" "$distinct" "$events" "$listed" "$lost" "$extra" \
    "$(echo "($hs1 - $hs0) / $TICK" | bc -l)" \
    "$(echo "($gw1 - $gw0) / $TICK" | bc -l)" \
    "$(echo "($ps1 - $ps0) / $TICK" | bc -l)" "$loadgen" \
    "$(echo "(${m1a[1]} - ${m0a[1]}) / $TICK" | bc -l)" \
    "$(echo "(${m1a[2]} - ${m0a[2]}) / $TICK" | bc -l)" \
    "$(echo "(${m1a[0]} - ${m0a[0]}) / $TICK" | bc -l)" \
    "$(echo "$t1 - $t0" | bc -l)" "${latency:-0}" "$first" "$last" >>"$TSV"
  say "round $round $p: $rate responses/s; stored $stored, hearing_server OK $b_ok, listed $listed, lost $lost, extra $extra"
}

bench_check_quiet
bench_run_rounds 4  # seconds of set-up and counting per run

# --- Summary ---------------------------------------------------------------------
declare -A MED
bench_describe_machine
{
  echo "Hearing responses bench, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT"
  echo "Machine: $(nproc) CPUs ($CPU_MODEL), ${MEM} GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "Tools: $(h2load --version | awk 'NR == 1'), $(wrk --version 2>&1 | awk 'NR == 1 {print "wrk", $2}'), sqlite3 $(sqlite3 --version | awk '{print $1}')"
  echo "Call: anonymous SubmitResponse to an open public hearing of municipality $MUNICIPALITY (request $REQ_BYTES bytes), a fresh hearing per run"
  echo "gRPC: h2load -c$CONNS -m$STREAMS -t1 -D $SECONDS_RUN --warm-up-time=$WARMUP; JSON: wrk -t$WRK_THREADS -c$WRK_CONNS -d${SECONDS_RUN}s after a ${WARMUP} s wrk warm-up"
  echo "Rounds: $ROUNDS, paths interleaved (order rotated each round)"
  echo "Pinning: load generator ${LOADGEN_CPUS:-not pinned}, servers ${SERVER_CPUS:-not pinned}"
  echo "Machine busy before the bench: $(printf %.0f "$IDLE_BUSY")%"
  echo
  printf '| %-44s |' "path (responses/s)"
  for r in $(seq 1 "$ROUNDS"); do printf ' %8s |' "run $r"; done
  printf ' %8s | %-17s | %-12s | %-17s |\n' median "spread (min-max)" "mean latency" "first/last 3 s"
  printf '|%s|' "$(printf -- '-%.0s' $(seq 1 46))"
  for r in $(seq 1 "$ROUNDS"); do printf -- '---------:|'; done
  printf -- '---------:|-------------------|--------------|-------------------|\n'
  for p in "${PATHS[@]}"; do
    mapfile -t v < <(col "$p" 3)
    MED[$p]=$(printf '%s\n' "${v[@]}" | median)
    lo=$(printf '%s\n' "${v[@]}" | sort -g | awk 'NR == 1')
    hi=$(printf '%s\n' "${v[@]}" | sort -g | awk 'END {print}')
    printf '| %-44s |' "${LABEL[$p]}"
    for x in "${v[@]}"; do printf ' %8.0f |' "$x"; done
    spread=$(echo "100 * ($hi - $lo) / ${MED[$p]}" | bc -l)
    lat=$(col "$p" 27 | median)
    printf ' %8.0f | %6.0f-%-6.0f %3.0f%% | %9.1f ms | %7.0f / %-7.0f |\n' \
      "${MED[$p]}" "$lo" "$hi" "$spread" "$lat" \
      "$(col "$p" 28 | median)" "$(col "$p" 29 | median)"
  done
  echo "(first/last 3 s: medians of the stored responses per second at the start and"
  echo "at the end of the measured part, from the growth of the hearing in SQLite)"
  echo
  # Does a hearing that holds more responses take new ones more slowly?
  # From the growth samples (warm-up included, all rounds): responses
  # stored per second while the hearing held this many.
  BUCKETS=(0 1000 2000 4000 8000 16000)
  echo "Responses stored per second by how many the hearing already held (all rounds):"
  printf '| %-8s |' path
  for i in "${!BUCKETS[@]}"; do
    lo=${BUCKETS[$i]}; hi=${BUCKETS[$((i + 1))]:-}
    if [ -n "$hi" ]; then printf ' %11s |' "$((lo / 1000))k-$((hi / 1000))k"
    else printf ' %11s |' ">= $((lo / 1000))k"; fi
  done
  echo
  printf '|----------|'; for _ in "${BUCKETS[@]}"; do printf -- '------------:|'; done; echo
  for p in "${PATHS[@]}"; do
    printf '| %-8s |' "$p"
    cat "$R"/growth-"$p"-*.txt | awk -v b="${BUCKETS[*]}" '
      BEGIN { nb = split(b, lo, " ") }
      $2 !~ /^[0-9]+$/ { next }
      # A new run starts again at a small time.
      pt != "" && $1 > pt && $2 >= pc {
        mid = (pc + $2) / 2
        for (k = nb; k > 1 && mid < lo[k]; k--);
        dt[k] += $1 - pt; dc[k] += $2 - pc }
      { pt = $1; pc = $2 }
      END { for (k = 1; k <= nb; k++)
              if (dt[k] > 0) printf " %11.0f |", 1000 * dc[k] / dt[k]
              else printf " %11s |", "-"
            printf "\n" }'
  done
  echo
  lost_gw=$(awk -F'\t' 'NR > 1 && $2 == "gateway" {s += $17} END {print s + 0}' "$TSV")
  extra_gw=$(awk -F'\t' 'NR > 1 && $2 == "gateway" {s += ($18 > 0 ? $18 : -$18)} END {print s + 0}' "$TSV")
  if [ -n "${MED[gateway]:-}" ]; then
    met=met
    [ "$(echo "${MED[gateway]} >= $TARGET" | bc -l)" = 1 ] || met=MISSED
    [ "$lost_gw" = 0 ] && [ "$extra_gw" = 0 ] || met=MISSED
    printf 'gateway gRPC: %.0f responses/s (median), %s lost, %s stored beyond or short of the OK calls; target >= %s/s with none lost: %s\n' \
      "${MED[gateway]}" "$lost_gw" "$extra_gw" "$TARGET" "$met"
  fi
  echo
  echo "Counts per run (warm-up included). backend: hearing_server's call log; gateway:"
  echo "its access log; audit: response names the gateway answered OK; stored: rows in"
  echo "SQLite (distinct seq, response.submitted events); listed: ListResponses through"
  echo "the gateway; lost: audit names not stored; extra: stored - backend OK"
  printf '| %-7s | %5s | %-15s | %-15s | %7s | %7s | %7s | %7s | %7s | %4s | %5s |\n' \
    path round "backend ok/not" "gateway ok/not" audit stored seq events listed lost extra
  printf '|---------|------:|-----------------|-----------------|--------:|--------:|--------:|--------:|--------:|-----:|------:|\n'
  awk -F'\t' 'NR > 1 {
      gw = ($2 == "direct") ? "-" : $10 " / " $11
      au = ($2 == "direct") ? "-" : $12
      lo = ($2 == "direct") ? "-" : $17
      printf "| %-7s | %5s | %-15s | %-15s | %7s | %7s | %7s | %7s | %7s | %4s | %5s |\n",
        $2, $1, $8 " / " $9, gw, au, $13, $14, $15, $16, lo, $18 }' "$TSV"
  if [ -s "$CODES" ]; then
    echo "  Codes of the calls not OK (path, where seen, code, count):"
    sort "$CODES" | uniq -c | awk '{printf "    %s %s %s: %d\n", $2, $3, $4, $1}'
  fi
  echo "  (h2load counts HTTP 200 even for gRPC errors, so the servers' logs and the"
  echo "  database are the check. Calls cut off when a run stops, at most"
  echo "  $((CONNS * STREAMS)) per h2load run, end without a message or CANCELLED; one"
  echo "  stored whose answer the gateway could no longer deliver shows as backend OK,"
  echo "  gateway not ok: not lost.)"
  echo
  echo "CPU, medians over the rounds: % of one core over the run (warm-up included) and"
  echo "microseconds of CPU per stored response"
  printf '| %-8s | %-15s | %-15s | %-14s | %-15s | %-8s | %-7s | %-9s |\n' path hearing_server \
    gateway policy_server "load generator" softirq iowait "all busy"
  printf '|%s|\n' "----------|-----------------|-----------------|----------------|-----------------|----------|---------|-----------"
  for p in "${PATHS[@]}"; do
    printf '| %-8s |' "$p"
    for c in 19 20 21 22 23 24 25; do
      pct=$(awk -F'\t' -v p="$p" -v c="$c" 'NR > 1 && $2 == p {print 100 * $c / $26}' "$TSV" | median)
      us=$(awk -F'\t' -v p="$p" -v c="$c" 'NR > 1 && $2 == p && $13 > 0 {print 1e6 * $c / $13}' "$TSV" | median)
      case "$c" in
        21) printf ' %-14s |' "$(printf '%.0f%%' "$pct")" ;;
        23) printf ' %-8s |' "$(printf '%.0f%%' "$pct")" ;;
        24) printf ' %-7s |' "$(printf '%.0f%%' "$pct")" ;;
        25) printf ' %-9s |' "$(printf '%.0f%%' "$pct")" ;;
        *) if [ "$(printf %.0f "$pct")" = 0 ]; then printf ' %-15s |' "-"
           else printf ' %-15s |' "$(printf '%.0f%%, %.0f us' "$pct" "$us")"; fi ;;
      esac
    done
    echo
  done
  echo "(softirq: the kernel's network work, mostly inside the processes' system time"
  echo "already; iowait: idle waiting for the disk; all busy: the whole machine,"
  echo "$(nproc) cores = $(( $(nproc) * 100 ))%)"
  awk -F'\t' 'NR > 1 { other = 100 * ($25 - $19 - $20 - $21 - $22) / $26
      if (other > 25) printf "WARNING: round %s %s: %.0f%% of a core went to other processes; the figures are suspect\n", $1, $2, other }' "$TSV"
} | tee "$R/summary.txt"
if [ -n "$SUMMARY_FILE" ]; then cp "$R/summary.txt" "$SUMMARY_FILE"; fi
