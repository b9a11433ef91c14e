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

# CPU accounting from /proc, in clock ticks.
TICK=$(getconf CLK_TCK)
cpu_ticks() {  # cpu_ticks PID...: user+system ticks of these processes
  local sum=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    sum=$((sum + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$sum"
}
machine_ticks() {  # busy, softirq and iowait ticks of the whole machine
  awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $8, $6}' /proc/stat
}

# bench_check_quiet: warns (with a top snapshot in $R) when the machine is
# busy before the bench starts.
bench_check_quiet() {
  local q0 q1
  read -r -a q0 <<<"$(machine_ticks)"; sleep 2; read -r -a q1 <<<"$(machine_ticks)"
  IDLE_BUSY=$(echo "100 * (${q1[0]} - ${q0[0]}) / $TICK / 2 / $(nproc)" | bc -l)
  top -b -n2 -d1 -w 200 | awk '/^top -/{n++} n==2 && c++ < 15' >"$R/top-before.txt"
  if [ "$(printf %.0f "$IDLE_BUSY")" -gt 10 ]; then
    say "Warning: the machine is $(printf %.0f "$IDLE_BUSY")% busy before the bench; see the top snapshot"
    sed -n 7,12p "$R/top-before.txt" >&2
  fi
}

# bench_run_rounds SETUP_SECONDS: run_one ROUND PATH for every path of
# PATHS, ROUNDS times, the order rotated each round.
bench_run_rounds() {
  local total=${#PATHS[@]} round i
  local estimate=$(( (ROUNDS * total * (SECONDS_RUN + WARMUP + $1) + 59) / 60 ))
  say "Measuring: $ROUNDS rounds x ${total} paths x (${WARMUP} s warm-up + ${SECONDS_RUN} s), about $estimate min"
  for round in $(seq 1 "$ROUNDS"); do
    for i in $(seq 0 $((total - 1))); do
      run_one "$round" "${PATHS[$(( (i + round - 1) % total ))]}"
    done
  done
}

# For the summary: the median of numbers on standard input, and a column of
# the runs table $TSV for one path.
median() { sort -g | awk '{v[NR] = $1} END {
  if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() {  # col PATH COLUMN: the column's values for PATH, one per round
  awk -F'\t' -v p="$1" -v c="$2" 'NR > 1 && $2 == p {print $c}' "$TSV"
}

# bench_describe_machine: sets CPU_MODEL, MEM (GiB) and COMMIT.
bench_describe_machine() {
  CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
  MEM=$(free -g | awk '/^Mem:/{print $2}')
  COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -v '^??' || true)" ] &&
    COMMIT="$COMMIT (with uncommitted changes)"
  return 0
}
