#!/usr/bin/env bash
# Small unary calls through the gateway, against the same calls straight to
# the policy service and through nginx's grpc_pass, measured in one run.
#
# The call: PolicyService/GetPolicy of a small adopted policy (request 41
# bytes, answer 181 bytes), made with h2load (gRPC, 16 connections x 16
# streams) and with wrk (JSON through the gateway). Paths:
#   direct         h2load -> policy_server (h2c)
#   gateway        h2load -> gateway (gRPC, JWT bearer) -> policy_server
#   gateway-nolog  the same with the access log going to /dev/null
#   nginx          h2load -> nginx grpc_pass -> policy_server
#   json           wrk -> gateway (Connect JSON, JWT bearer) -> policy_server
# Every path is measured BENCH_ROUNDS times, interleaved (the order rotates
# each round), after a warm-up. Prints a summary and writes it to $1 if given.
#
# Usage: bench/gateway/run.sh [SUMMARY_FILE]
# Environment:
#   BENCH_SECONDS=15      measured seconds per run
#   BENCH_WARMUP=3        warm-up seconds before each run
#   BENCH_ROUNDS=3        runs per path
#   BENCH_PATHS="direct gateway gateway-nolog nginx json"
#   BENCH_LOADGEN_CPUS=   e.g. 1: pin h2load/wrk with taskset -c (default none)
#   BENCH_SERVER_CPUS=    e.g. 0: pin the servers and nginx (default none)
#   BENCH_OUT_DIR=        keep the raw outputs (h2load, wrk, top, per-run
#                         table) in this folder
#   BENCH_KEEP=1          keep the temporary folder (logs, databases)
#   BENCH_BUILD_LOCK=/tmp/kommune-build.lock   held while measuring so no
#                         build competes for the CPUs; empty to skip
#   KOMMUNE_BUILD_DIR     where the binaries are (default build/)
# The binaries are not built here: build them first (tools/test.sh -N).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/common.sh"
HERE="$ROOT/bench/gateway"
BIN="$BUILD/bin"

SUMMARY_FILE="${1:-}"
SECONDS_RUN="${BENCH_SECONDS:-15}"
WARMUP="${BENCH_WARMUP:-3}"
ROUNDS="${BENCH_ROUNDS:-3}"
read -r -a PATHS <<<"${BENCH_PATHS:-direct gateway gateway-nolog nginx json}"
LOADGEN_CPUS="${BENCH_LOADGEN_CPUS:-}"
SERVER_CPUS="${BENCH_SERVER_CPUS:-}"
LOCK="${BENCH_BUILD_LOCK-/tmp/kommune-build.lock}"
CONNS=16 STREAMS=16 WRK_THREADS=2 WRK_CONNS=32
MUNICIPALITY=101 POLICY_ID=bench-small
POLICY_NAME="municipalities/$MUNICIPALITY/policies/$POLICY_ID"
METHOD=kommune.policy.v1.PolicyService/GetPolicy

PACKAGES=(nghttp2-client wrk protobuf-compiler libprotobuf-dev curl procps
          iproute2 util-linux bc)
command -v nginx >/dev/null 2>&1 || PACKAGES+=(nginx-light)
install_missing_packages "${PACKAGES[@]}"

source "$ROOT/bench/lib.sh"
bench_wait_for_binaries policy_server gateway devtoken kommunectl
bench_setup gateway
mkdir -p "$T/nginx"

# --- The policy service, with one small adopted policy -----------------------
free_port PS_PORT
SECRET_FILE="$T/gateway/identity-secret"
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SECRET_FILE")
PS_LOG="$T/policy_server.log"
say "Starting policy_server on 127.0.0.1:$PS_PORT"
# Appending, so the log can be emptied between runs.
start "$SERVER_CPUS" "$BIN/policy_server" --listen="127.0.0.1:$PS_PORT" \
  --database="sqlite://$T/policy.db" \
  --identity_secret_file="$SECRET_FILE" >/dev/null 2>>"$PS_LOG" 9>&- &
PS_PID=$!
PIDS+=("$PS_PID")
wait_for_log "$PS_LOG" '"serving"' "$PS_PID"

CTL=("$BIN/kommunectl" --policy_address="127.0.0.1:$PS_PORT"
     --identity_secret="$(cat "$SECRET_FILE")" --municipality="$MUNICIPALITY"
     --subject=bench)
say "Importing and adopting $POLICY_NAME"
"${CTL[@]}" --roles=editor import --id="$POLICY_ID" --format=json \
  "$HERE/policy.json" >/dev/null
"${CTL[@]}" --roles=secretary hearing "$POLICY_ID" >/dev/null
"${CTL[@]}" --roles=secretary adopt --adopt_date=2025-01-01 "$POLICY_ID" \
  >/dev/null
"${CTL[@]}" --roles=viewer get "$POLICY_ID" >"$R/policy.json"
grep -q POLICY_STATE_ADOPTED "$R/policy.json"

# --- The gRPC request body: protobuf with the 5-byte gRPC frame header -------
REQ="$T/get_policy.grpc"
echo "name: \"$POLICY_NAME\"" |
  protoc --encode=kommune.policy.v1.GetPolicyRequest -I "$ROOT/proto" \
    -I /usr/include kommune/policy/v1/policy_service.proto >"$T/get_policy.pb"
REQ_BYTES=$(stat -c %s "$T/get_policy.pb")
{
  printf '\x00'
  printf "\\x$(printf %02x $((REQ_BYTES >> 24 & 255)))"
  printf "\\x$(printf %02x $((REQ_BYTES >> 16 & 255)))"
  printf "\\x$(printf %02x $((REQ_BYTES >> 8 & 255)))"
  printf "\\x$(printf %02x $((REQ_BYTES & 255)))"
  cat "$T/get_policy.pb"
} >"$REQ"
JSON_BODY="{\"name\":\"$POLICY_NAME\"}"

# --- Two gateways from the development configuration -------------------------
# Authentication (JWT) and the access rules stay as they are; the rate
# limits are raised far above what the bench can send (the limiter still
# runs); the access log goes to a file, or to /dev/null for gateway-nolog.
TOKEN="$("$BIN/devtoken" --key_dir="$T/gateway" \
  --issuer=https://devtoken.kommune.local --audience=kommune-gateway \
  --subject=bench@kommune.dk --municipalities="$MUNICIPALITY" --roles=viewer \
  2>/dev/null)"
declare -A GW_GRPC GW_HTTP GW_ADMIN GW_PID GW_LOG
for gw in gateway gateway-nolog; do
  free_port "GW_GRPC[$gw]"; free_port "GW_HTTP[$gw]"; free_port "GW_ADMIN[$gw]"
  if [ "$gw" = gateway ]; then access=access.log; else access=/dev/null; fi
  conf="$T/gateway/$gw.textproto"
  sed -e "s|^grpc { address: .*|grpc { address: \"127.0.0.1:${GW_GRPC[$gw]}\" }|" \
      -e "s|^http { address: .*|http { address: \"127.0.0.1:${GW_HTTP[$gw]}\" }|" \
      -e "s|^admin { address: .*|admin { address: \"127.0.0.1:${GW_ADMIN[$gw]}\" }|" \
      -e "s|^  addresses: .*|  addresses: \"127.0.0.1:$PS_PORT\"|" \
      -e '/^rate_limits {/,/^}/c\
rate_limits {\
  per_municipality { rate_per_second: 1e9 burst: 1000000000 }\
  per_caller { rate_per_second: 1e9 burst: 1000000000 }\
}' \
      -e "/^logs {/,/^}/c\\
logs {\\
  access_log_file: \"$access\"\\
  audit_log_file: \"audit.log\"\\
}" "$ROOT/gateway/dev/gateway.textproto" >"$conf"
  for want in "127.0.0.1:${GW_GRPC[$gw]}" "127.0.0.1:$PS_PORT" \
              "rate_per_second: 1e9" "access_log_file: \"$access\"" \
              'jwks_file: "jwks.json"' 'identity_secret_file: "identity-secret"'; do
    grep -qF "$want" "$conf" || {
      echo "$conf: could not set $want (gateway/dev/gateway.textproto changed?)" >&2
      exit 1
    }
  done
  GW_LOG[$gw]="$T/$gw.log"
  start "$SERVER_CPUS" "$BIN/gateway" --config="$conf" >"$T/$gw.stdout" 2>"${GW_LOG[$gw]}" 9>&- &
  GW_PID[$gw]=$!
  PIDS+=("$!")
  wait_for_log "${GW_LOG[$gw]}" "gateway listening" "${GW_PID[$gw]}"
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:${GW_ADMIN[$gw]}/readyz" >/dev/null && break
    sleep 0.1
  done
  say "$gw: gRPC 127.0.0.1:${GW_GRPC[$gw]}, JSON 127.0.0.1:${GW_HTTP[$gw]}, access log $access"
done
ACCESS_LOG="$T/gateway/access.log"

# --- nginx ---------------------------------------------------------------------
free_port NGINX_PORT
sed -e "s|@DIR@|$T/nginx|g" -e "s|@PORT@|$NGINX_PORT|g" \
    -e "s|@BACKEND@|127.0.0.1:$PS_PORT|g" "$HERE/nginx.conf.in" \
    >"$T/nginx/nginx.conf"
start "$SERVER_CPUS" nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" \
  -e "$T/nginx/error.log" >/dev/null 2>"$T/nginx/stderr" 9>&- &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for _ in $(seq 1 100); do
  ss -Htln | awk '{print $4}' | grep -q ":$NGINX_PORT\$" && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$T/nginx/stderr" >&2; exit 1; }
  sleep 0.1
done
say "nginx: 127.0.0.1:$NGINX_PORT, grpc_pass to 127.0.0.1:$PS_PORT"

declare -A URL=(
  [direct]="http://127.0.0.1:$PS_PORT/$METHOD"
  [gateway]="http://127.0.0.1:${GW_GRPC[gateway]}/$METHOD"
  [gateway-nolog]="http://127.0.0.1:${GW_GRPC[gateway-nolog]}/$METHOD"
  [nginx]="http://127.0.0.1:$NGINX_PORT/$METHOD"
  [json]="http://127.0.0.1:${GW_HTTP[gateway]}/$METHOD"
)
declare -A LABEL=(
  [direct]="direct gRPC -> policy_server"
  [gateway]="gateway gRPC (JWT), access log to file"
  [gateway-nolog]="gateway gRPC (JWT), access log to /dev/null"
  [nginx]="nginx grpc_pass -> policy_server"
  [json]="gateway JSON (JWT), wrk"
)
GRPC_HEADERS=(-H 'content-type: application/grpc' -H 'te: trailers')
AUTH=(-H "authorization: Bearer $TOKEN")

# --- One real call on every path: gRPC status 0 and the policy's bytes -------
ANSWER_BYTES=""
for p in direct gateway gateway-nolog nginx; do
  extra=()
  case "$p" in gateway*) extra=("${AUTH[@]}") ;; esac
  nghttp -v -d "$REQ" "${GRPC_HEADERS[@]}" "${extra[@]}" "${URL[$p]}" \
    >"$R/check-$p.txt" 2>&1 || true
  status=$(grep -a -m1 -o 'grpc-status: [0-9]*' "$R/check-$p.txt" || true)
  bytes=$(grep -a -m1 -o 'recv DATA frame <length=[0-9]*' "$R/check-$p.txt" |
            sed 's/.*=//' || true)
  if [ "$status" != "grpc-status: 0" ] || [ -z "$bytes" ]; then
    echo "$p: the check call failed ($status); nghttp said:" >&2
    grep -a -E 'grpc-|:status' "$R/check-$p.txt" >&2
    exit 1
  fi
  [ -z "$ANSWER_BYTES" ] && ANSWER_BYTES=$((bytes - 5))
  say "check $p: grpc-status 0, answer $((bytes - 5)) bytes"
done
# Without a valid token the gateway refuses: authentication is on.
nghttp -v -d "$REQ" "${GRPC_HEADERS[@]}" -H "authorization: Bearer x.y.z" \
  "${URL[gateway]}" >"$R/check-badtoken.txt" 2>&1 || true
grep -a -q 'grpc-status: 16' "$R/check-badtoken.txt" || {
  echo "gateway: a bad token was not refused with UNAUTHENTICATED" >&2; exit 1; }
code=$(curl -sS -o "$R/check-json.txt" -w '%{http_code}' \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "$JSON_BODY" "${URL[json]}")
if [ "$code" != 200 ] || ! grep -q POLICY_STATE_ADOPTED "$R/check-json.txt"; then
  echo "json: the check call answered HTTP $code:" >&2
  cat "$R/check-json.txt" >&2
  exit 1
fi
say "check json: HTTP 200 with the policy; a bad token gets UNAUTHENTICATED"

# --- Accounting ----------------------------------------------------------------
nginx_pids() { echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"; }
metric_calls() {  # metric_calls ADMIN_PORT: ok and not-ok GetPolicy calls
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk '/^kommune_gateway_calls_total\{/ && /GetPolicy/ {
           if ($0 ~ /code="ok"/) ok += $NF; else bad += $NF }
         END { printf "%d %d\n", ok, bad }'
}

TSV="$R/runs.tsv"
printf 'round\tpath\tcalls_per_s\tsucceeded\tfailed\terrored\tnon_2xx\tbackend_ok\tbackend_not_ok\tgateway_ok\tgateway_not_ok\taccess_log_ok\taccess_log_not_ok\tcpu_policy_server\tcpu_gateway\tcpu_nginx\tcpu_loadgen\tcpu_softirq\tcpu_busy\twall_s\tmean_latency_ms\n' >"$TSV"
CODES="$R/not-ok-codes.txt"
: >"$CODES"

run_one() {  # run_one ROUND PATH
  local round="$1" p="$2" out="$R/$2-$1.txt"
  local gw="" admin="" before_gw=(0 0) after_gw=(0 0)
  case "$p" in
    gateway|json) gw=gateway ;;
    gateway-nolog) gw=gateway-nolog ;;
  esac
  [ -n "$gw" ] && admin=${GW_ADMIN[$gw]}
  : >"$PS_LOG"
  : >"$ACCESS_LOG"
  [ -n "$gw" ] && read -r -a before_gw <<<"$(metric_calls "$admin")"
  local gw_pid=""
  [ -n "$gw" ] && gw_pid=${GW_PID[$gw]}
  local ps0 gw0 ng0 m0 t0
  ps0=$(cpu_ticks "$PS_PID"); gw0=$(cpu_ticks $gw_pid)
  ng0=$(cpu_ticks $(nginx_pids)); m0=$(machine_ticks); t0=$(date +%s.%N)
  # A snapshot of top in the middle of each path's first run.
  if [ "$round" = 1 ]; then
    (sleep $((WARMUP + SECONDS_RUN / 2)); top -b -n2 -d2 -w 200 |
       awk '/^top -/{n++} n==2 && c++ < 20' >"$R/top-$p.txt") 9>&- &
  fi
  # The load generator runs in a subshell whose `times` is its CPU use.
  if [ "$p" = json ]; then
    pin "$LOADGEN_CPUS" env BENCH_TOKEN="$TOKEN" BENCH_JSON_BODY="$JSON_BODY" \
      wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARMUP}s" \
      -s "$HERE/get_policy.lua" "${URL[json]}" >"$out.warmup" 2>&1 9>&-
    (pin "$LOADGEN_CPUS" env BENCH_TOKEN="$TOKEN" BENCH_JSON_BODY="$JSON_BODY" \
       wrk -t"$WRK_THREADS" -c"$WRK_CONNS" \
       -d"${SECONDS_RUN}s" -s "$HERE/get_policy.lua" "${URL[json]}" \
       >"$out" 2>&1 9>&-; times >"$out.times")
  else
    local extra=()
    case "$p" in gateway*) extra=("${AUTH[@]}") ;; esac
    (pin "$LOADGEN_CPUS" h2load -c"$CONNS" -m"$STREAMS" -t1 \
       -D "$SECONDS_RUN" --warm-up-time="$WARMUP" -d "$REQ" \
       "${GRPC_HEADERS[@]}" "${extra[@]}" "${URL[$p]}" >"$out" 2>&1 9>&-
     times >"$out.times")
  fi
  local t1 m1
  t1=$(date +%s.%N); m1=$(machine_ticks)
  local ps1 gw1 ng1
  ps1=$(cpu_ticks "$PS_PID"); gw1=$(cpu_ticks $gw_pid)
  ng1=$(cpu_ticks $(nginx_pids))
  sleep 0.5  # the calls cut off at the end reach the logs
  [ -n "$gw" ] && read -r -a after_gw <<<"$(metric_calls "$admin")"

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
  # Mean latency in ms, from "time for request: MIN MAX MEAN SD" (h2load) or
  # "Latency AVG STDEV MAX" (wrk).
  local latency
  latency=$(awk 'function ms(v) {
                   if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
                   if (v ~ /s$/) return v * 1000; return v }
                 /^time for request:/ {print ms($6)} /^ +Latency/ {print ms($2)}' "$out")
  local b_ok b_bad a_ok=0 a_bad=0
  b_ok=$(grep -a -F '/GetPolicy"' "$PS_LOG" | grep -a -c -F '"code":"OK"' || true)
  b_bad=$(grep -a -F '/GetPolicy"' "$PS_LOG" | grep -a -v -c -F '"code":"OK"' || true)
  if [ "$p" = gateway ] || [ "$p" = json ]; then
    a_ok=$(grep -a -c -F '"code":"ok"' "$ACCESS_LOG" || true)
    a_bad=$(grep -a -v -c -F '"code":"ok"' "$ACCESS_LOG" || true)
  fi
  # What the calls that were not OK got, for the summary.
  { grep -a -F '/GetPolicy"' "$PS_LOG" | grep -a -v -F '"code":"OK"' |
      grep -a -o '"code":"[A-Z_]*"' | sed "s/^/$p policy_server /" || true
    if [ "$p" = gateway ] || [ "$p" = json ]; then
      grep -a -v -F '"code":"ok"' "$ACCESS_LOG" | grep -a -o '"code":"[a-z_]*"' |
        sed "s/^/$p gateway_access_log /" || true
    fi; } >>"$CODES"
  local loadgen
  loadgen=$(sed -n 2p "$out.times" | awk '{
      n = split($0, f, " "); s = 0
      for (i = 1; i <= n; i++) { split(f[i], a, "m"); sub("s", "", a[2]); s += a[1] * 60 + a[2] }
      print s }')
  read -r -a m0a <<<"$m0"; read -r -a m1a <<<"$m1"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\n' \
    "$round" "$p" "$rate" "${succeeded:-0}" "${failed:-0}" "${errored:-0}" \
    "${non2xx:-0}" "$b_ok" "$b_bad" \
    $((after_gw[0] - before_gw[0])) $((after_gw[1] - before_gw[1])) \
    "$a_ok" "$a_bad" \
    "$(echo "($ps1 - $ps0) / $TICK" | bc -l)" \
    "$(echo "($gw1 - $gw0) / $TICK" | bc -l)" \
    "$(echo "($ng1 - $ng0) / $TICK" | bc -l)" "$loadgen" \
    "$(echo "(${m1a[1]} - ${m0a[1]}) / $TICK" | bc -l)" \
    "$(echo "(${m1a[0]} - ${m0a[0]}) / $TICK" | bc -l)" \
    "$(echo "$t1 - $t0" | bc -l)" "${latency:-0}" >>"$TSV"
  say "round $round $p: $rate calls/s"
}

bench_check_quiet
bench_run_rounds 1  # seconds of set-up per run

# --- Summary ---------------------------------------------------------------------
declare -A MED
bench_describe_machine
{
  echo "Gateway bench, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT"
  echo "Machine: $(nproc) CPUs ($CPU_MODEL), ${MEM} GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "Tools: $(h2load --version | awk 'NR == 1'), $(wrk --version 2>&1 | awk 'NR == 1 {print "wrk", $2}'), $(nginx -v 2>&1 | sed 's/.*: //')"
  echo "Call: GetPolicy of $POLICY_NAME (request $REQ_BYTES bytes, answer $ANSWER_BYTES bytes)"
  echo "gRPC: h2load -c$CONNS -m$STREAMS -t1 -D $SECONDS_RUN --warm-up-time=$WARMUP; JSON: wrk -t$WRK_THREADS -c$WRK_CONNS -d${SECONDS_RUN}s after a ${WARMUP} s wrk warm-up"
  echo "Rounds: $ROUNDS, paths interleaved (order rotated each round)"
  echo "Pinning: load generator ${LOADGEN_CPUS:-not pinned}, servers and nginx ${SERVER_CPUS:-not pinned}"
  echo "Machine busy before the bench: $(printf %.0f "$IDLE_BUSY")%"
  echo
  printf '| %-44s |' "path (calls/s)"
  for r in $(seq 1 "$ROUNDS"); do printf ' %8s |' "run $r"; done
  printf ' %8s | %-17s | %-12s |\n' median "spread (min-max)" "mean latency"
  printf '|%s|' "$(printf -- '-%.0s' $(seq 1 46))"
  for r in $(seq 1 "$ROUNDS"); do printf -- '---------:|'; done
  printf -- '---------:|-------------------|--------------|\n'
  for p in "${PATHS[@]}"; do
    mapfile -t v < <(col "$p" 3)
    MED[$p]=$(printf '%s\n' "${v[@]}" | median)
    lo=$(printf '%s\n' "${v[@]}" | sort -g | awk 'NR == 1')
    hi=$(printf '%s\n' "${v[@]}" | sort -g | awk 'END {print}')
    printf '| %-44s |' "${LABEL[$p]}"
    for x in "${v[@]}"; do printf ' %8.0f |' "$x"; done
    spread=$(echo "100 * ($hi - $lo) / ${MED[$p]}" | bc -l)
    lat=$(col "$p" 21 | median)
    printf ' %8.0f | %6.0f-%-6.0f %3.0f%% | %9.1f ms |\n' "${MED[$p]}" "$lo" "$hi" "$spread" "$lat"
  done
  echo
  verdict() {  # verdict VALUE TARGET
    if [ "$(echo "$1 >= $2" | bc -l)" = 1 ]; then echo met; else echo MISSED; fi
  }
  per_round_ratio() {  # min-max over rounds of A/B within one round
    paste <(col "$1" 3) <(col "$2" 3) |
      awk '{r = $1 / $2; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r}
           END {printf "%.2f-%.2f", lo, hi}'
  }
  if [ -n "${MED[gateway]:-}" ] && [ -n "${MED[direct]:-}" ]; then
    r=$(echo "${MED[gateway]} / ${MED[direct]}" | bc -l)
    printf 'gateway / direct = %.2f (per round %s); target >= 0.5: %s\n' \
      "$r" "$(per_round_ratio gateway direct)" "$(verdict "$r" 0.5)"
  fi
  if [ -n "${MED[gateway]:-}" ] && [ -n "${MED[nginx]:-}" ]; then
    r=$(echo "${MED[gateway]} / ${MED[nginx]}" | bc -l)
    printf 'gateway / nginx  = %.2f (per round %s); target >= 1.5: %s\n' \
      "$r" "$(per_round_ratio gateway nginx)" "$(verdict "$r" 1.5)"
  fi
  if [ -n "${MED[gateway]:-}" ] && [ -n "${MED[gateway-nolog]:-}" ]; then
    printf 'access log to a file vs /dev/null: %+.0f%% calls/s (medians)\n' \
      "$(echo "100 * (${MED[gateway]} - ${MED[gateway-nolog]}) / ${MED[gateway-nolog]}" | bc -l)"
  fi
  echo
  echo "CPU, medians over the rounds: % of one core over the run (warm-up included) and"
  echo "microseconds of CPU per successful call (calls counted in policy_server's log)"
  printf '| %-14s | %-15s | %-15s | %-15s | %-15s | %-13s | %-9s |\n' path policy_server \
    gateway nginx "load generator" "kernel softirq" "all busy"
  printf '|%s|\n' "----------------|-----------------|-----------------|-----------------|-----------------|---------------|-----------"
  for p in "${PATHS[@]}"; do
    printf '| %-14s |' "$p"
    for c in 14 15 16 17 18 19; do
      pct=$(awk -F'\t' -v p="$p" -v c="$c" 'NR > 1 && $2 == p {print 100 * $c / $20}' "$TSV" | median)
      us=$(awk -F'\t' -v p="$p" -v c="$c" 'NR > 1 && $2 == p && $8 > 0 {print 1e6 * $c / $8}' "$TSV" | median)
      if [ "$c" -ge 18 ]; then
        w=$([ "$c" = 18 ] && echo 13 || echo 9)
        printf " %-${w}s |" "$(printf '%.0f%%' "$pct")"
      elif [ "$(printf %.0f "$pct")" = 0 ]; then
        printf ' %-15s |' "-"
      else
        printf ' %-15s |' "$(printf '%.0f%%, %.0f us' "$pct" "$us")"
      fi
    done
    echo
  done
  echo "(softirq: the kernel's network work, mostly inside the processes' system time"
  echo "already; all busy: the whole machine, $(nproc) cores = $(( $(nproc) * 100 ))%)"
  # CPU no process of the bench accounts for: another job on the machine.
  awk -F'\t' 'NR > 1 { other = 100 * ($19 - $14 - $15 - $16 - $17) / $20
      if (other > 25) printf "WARNING: round %s %s: %.0f%% of a core went to other processes; the figures are suspect\n", $1, $2, other }' "$TSV"
  echo
  echo "Checks, summed over the rounds (warm-up included):"
  for p in "${PATHS[@]}"; do
    awk -F'\t' -v p="$p" 'NR > 1 && $2 == p {
        s += $4; f += $5 + $6; n += $7; bo += $8; bb += $9; go += $10; gb += $11
        ao += $12; ab += $13 }
      END {
        printf "  %-14s load generator: %d ok, %d failed/errored, %d not HTTP 2xx; policy_server: %d OK, %d not OK",
          p, s, f, n, bo, bb
        if (go + gb > 0) printf "; gateway metrics: %d ok, %d not ok", go, gb
        if (ao + ab > 0) printf "; access log: %d ok, %d not ok", ao, ab
        printf "\n" }' "$TSV"
  done
  if [ -s "$CODES" ]; then
    echo "  Codes of the calls not OK (path, where seen, code, count):"
    sort "$CODES" | uniq -c | awk '{printf "    %s %s %s: %d\n", $2, $3, $4, $1}'
  fi
  echo "  (h2load counts HTTP 200 even for gRPC errors, so the servers' own counts are the"
  echo "  check. Calls not OK at the backend are those cut off when a run stops: at most"
  echo "  $((CONNS * STREAMS)) per h2load run, which the backend sees as requests without a message.)"
} | tee "$R/summary.txt"
if [ -n "$SUMMARY_FILE" ]; then cp "$R/summary.txt" "$SUMMARY_FILE"; fi
