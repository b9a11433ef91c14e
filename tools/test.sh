#!/usr/bin/env bash
# Builds the suite and runs every test: format check, contract lint, unit,
# service and end-to-end tests against SQLite and a throwaway PostgreSQL.
# Usage: tools/test.sh [ctest arguments, e.g. -R Policy]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

install_missing_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" npm

say "Checking formatting (clang-format, Google style)"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t sources < <(cd "$ROOT" && git ls-files --cached --others \
    --exclude-standard -- '*.cc' '*.h' '*.proto' |
    while read -r f; do [ -f "$f" ] && echo "$f"; done)
else
  mapfile -t sources < <(cd "$ROOT" && find proto services tools tests bench \
    gateway -name '*.cc' -o -name '*.h' -o -name '*.proto')
fi
(cd "$ROOT" && clang-format --dry-run --Werror "${sources[@]}")

say "Linting contracts (buf lint)"
BUF="$(buf_bin)"
(cd "$ROOT/proto" && "$BUF" lint)
# buf breaking against the released contract (it says its own "==>" line).
"$ROOT/tools/check_contract.sh" --breaking

say "Checking the API reference (docs/api) against proto/"
"$ROOT/tools/apidoc/check.sh"

configure_and_build

# A throwaway PostgreSQL in a temporary folder, on a unix socket only, so it
# clashes with nothing else on the machine.
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PG_DIR="$(mktemp -d /tmp/kommune-pg.XXXXXX)"
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_postgres() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
say "Starting a throwaway PostgreSQL in $PG_DIR"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-k $PG_DIR -c listen_addresses='' -c max_connections=300 -c fsync=off" \
  start >/dev/null
export KOMMUNE_TEST_POSTGRES_URL="postgresql:///postgres?host=$PG_DIR&user=postgres"
export KOMMUNE_TEST_REQUIRE_POSTGRES=1

say "Setting up the Node client (npm ci, buf generate)"
"$ROOT/clients/connect-node/setup.sh"
export KOMMUNE_REQUIRE_NODE_CLIENT=1
say "Setting up the Python client (protoc, grpc_python_plugin)"
"$ROOT/clients/python/setup.sh"
export KOMMUNE_REQUIRE_PYTHON_CLIENT=1
# The follow-up report is checked in a real browser (Debian's chromium).
export KOMMUNE_REQUIRE_CHROMIUM=1

say "Running tests"
cd "$BUILD"
ctest --output-on-failure -j "$JOBS" --timeout 300 "$@"
