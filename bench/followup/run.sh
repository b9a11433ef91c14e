#!/usr/bin/env bash
# The follow-up service at full scale: build/bin/followup_bench (see
# bench/followup_bench.cc) on a fresh SQLite folder, holding the build lock
# so no build competes for the two cores, after a check that the machine is
# quiet. Prints the machine, the bench's output and the size of each table
# and index of the loaded file.
#
# Usage: bench/followup/run.sh [FOLLOWUP_BENCH_FLAG...]
#   e.g. bench/followup/run.sh --municipalities=5   (a smoke run)
# Environment:
#   BENCH_OUT_DIR=        keep the outputs (bench output, table sizes, top)
#                         in this folder
#   BENCH_KEEP=1          keep the temporary folder (and the SQLite files)
#   BENCH_BUILD_LOCK=/tmp/kommune-build.lock   held while measuring; empty
#                         to skip
#   KOMMUNE_BUILD_DIR     where the binaries are (default build/)
#   FOLLOWUP_BENCH_*      the bench's flags, as followup_bench --help says
# The binary is not built here: build it first (make -C build followup_bench).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/common.sh"
shopt -s inherit_errexit
BIN="$BUILD/bin"
LOCK="${BENCH_BUILD_LOCK-/tmp/kommune-build.lock}"

install_missing_packages procps bc sqlite3

source "$ROOT/bench/lib.sh"
bench_wait_for_binaries followup_bench
bench_setup followup
bench_check_quiet
bench_describe_machine

{
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($CPU_MODEL)," \
    "${MEM} GiB; commit $COMMIT; SQLite $(sqlite3 --version | cut -d' ' -f1)"
  printf 'Machine busy before the bench: %.0f%%\n' "$IDLE_BUSY"
} | tee "$R/machine.txt"

say "Running followup_bench $* (files in $T)"
"$BIN/followup_bench" --dir="$T" --keep "$@" | tee "$R/followup_bench.txt"

# Which tables and indexes hold the loaded file's bytes.
if [ -f "$T/followup_batch.db" ]; then
  sqlite3 "$T/followup_batch.db" \
    "SELECT name, printf('%.0f MiB', SUM(pgsize) / 1048576.0) FROM dbstat
     GROUP BY name ORDER BY SUM(pgsize) DESC LIMIT 8" |
    tee "$R/table_sizes.txt"
fi
