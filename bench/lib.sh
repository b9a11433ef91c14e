# Shared by the benchmarks in bench/*/run.sh. Source it after
# tools/lib/common.sh and after setting BIN and LOCK.

# bench_wait_for_binaries NAME...: the binaries may be being built by
# someone else: wait for them (up to an hour).
bench_wait_for_binaries() {
  local missing
  for _ in $(seq 1 360); do
    missing=""
    for b in "$@"; do
      [ -x "$BIN/$b" ] || missing+=" $b"
    done
    [ -z "$missing" ] && return 0
    say "Waiting for$missing in $BIN (build them with tools/test.sh -N)"
    sleep 10
  done
  echo "Missing in $BIN:$missing" >&2
  exit 1
}

# bench_setup NAME: a temporary folder T (results in R), a PIDS list whose
# processes are stopped on exit, raw outputs copied to BENCH_OUT_DIR, and
# the build lock LOCK held while measuring: a compile on two cores would
# swamp the figures (and could replace a binary mid-run).
bench_setup() {
  T="$(mktemp -d "/tmp/kommune-$1-bench.XXXXXX")"
  R="$T/results"
  mkdir -p "$R" "$T/gateway"
  PIDS=()
  trap bench_cleanup INT TERM EXIT
  if [ -n "$LOCK" ]; then
    exec 9>"$LOCK"
    if ! flock -n 9; then
      say "Waiting for the build lock $LOCK (a build is running)"
      flock -w 3600 9
    fi
  fi
}

bench_cleanup() {
  local rc=$?
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${BENCH_OUT_DIR:-}" ]; then
    mkdir -p "$BENCH_OUT_DIR" && cp -r "$R/." "$BENCH_OUT_DIR/"
  fi
  if [ "$rc" -ne 0 ] || [ "${BENCH_KEEP:-}" = 1 ]; then
    say "Logs and outputs kept in $T"
  else
    rm -rf "$T"
  fi
  exit "$rc"
}

pin() {  # pin CPUS COMMAND...: taskset when CPUS is set
  local cpus="$1"; shift
  if [ -n "$cpus" ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}
start() {  # start CPUS COMMAND... &: like pin, but $! is the command's pid
  local cpus="$1"; shift
  if [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

# free_port VAR: a port nothing listens on or talks from, not handed out
# before in this run.
USED_PORTS=" "
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    case "$USED_PORTS" in *" $port "*) continue ;; esac
    if ! ss -Htan | awk '{print $4}' | grep -q ":$port\$"; then
      USED_PORTS+="$port "
      printf -v "$1" %s "$port"
      return
    fi
  done
}
