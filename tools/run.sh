#!/usr/bin/env bash
# Runs the whole suite on this machine: every service on SQLite files under
# a local data folder, with demo data from fixtures/. Stop with Ctrl-C.
# Environment: KOMMUNE_DATA_DIR (default ./data), KOMMUNE_HOST (127.0.0.1).
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

install_missing_packages "${BUILD_PACKAGES[@]}"
# Only the binaries: the tests are the test command's business.
say "Configuring in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
SERVERS=(policy_server)
say "Building ${SERVERS[*]} kommunectl"
cmake --build "$BUILD" -j "$JOBS" --target "${SERVERS[@]}" kommunectl -- --no-print-directory

DATA="${KOMMUNE_DATA_DIR:-$ROOT/data}"
HOST="${KOMMUNE_HOST:-127.0.0.1}"
mkdir -p "$DATA/logs"
declare -A PORT=([policy_server]=50051)
PIDS=()

stop_all() {
  trap - INT TERM EXIT
  if [ ${#PIDS[@]} -gt 0 ]; then
    say "Stopping (SIGTERM; calls in flight may finish)"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
  say "Stopped. Data stays in $DATA"
}
trap stop_all INT TERM EXIT

for server in "${SERVERS[@]}"; do
  name="${server%_server}"
  log="$DATA/logs/$name.log"
  # Keep the previous run's log; wait for this run's "serving" line only.
  [ -f "$log" ] && mv "$log" "$log.1"
  "$BUILD/bin/$server" --listen="$HOST:${PORT[$server]}" \
    --database="sqlite://$DATA/$name.db" 2>"$log" &
  PIDS+=($!)
  ready=""
  for _ in $(seq 1 300); do
    if grep -q '"serving"' "$log" 2>/dev/null; then ready=1; break; fi
    kill -0 "${PIDS[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$ready" ]; then
    echo "$server did not start; its log ($log):" >&2
    cat "$log" >&2
    exit 1
  fi
done

CTL=("$BUILD/bin/kommunectl" --policy_address="$HOST:${PORT[policy_server]}")
say "Loading demo data from fixtures/ (skipped where already loaded)"
"${CTL[@]}" --municipality=169 --roles=editor --subject=demo \
  import --id=integration-2007 --format=text --request_id=demo-169-2007 \
  "$ROOT/fixtures/domain/001_e954513d7125136f.txt" >/dev/null
"${CTL[@]}" --municipality=190 --roles=editor --subject=demo \
  import --id=integration-2018 --format=json --request_id=demo-190-2018 \
  "$ROOT/fixtures/demo/furesoe_integration_2018.json" >/dev/null
"${CTL[@]}" --municipality=101 --roles=editor --subject=demo \
  import --id=integration-2011 --format=json --request_id=demo-101-2011 \
  "$ROOT/fixtures/demo/koebenhavn_integration_2011.json" >/dev/null

cat <<INFO

The suite is running (logs: $DATA/logs, databases: $DATA/*.db):
  policy service   $HOST:${PORT[policy_server]}   (gRPC; health and reflection on)

Try it (from another terminal; the demo policies are drafts, so act as a
viewer in their municipality: 169 Høje-Taastrup, 190 Furesø, 101 København):
  ${CTL[*]} --municipality=169 --subject=you list
  ${CTL[*]} --municipality=169 --subject=you get integration-2007 | head -40
  ${CTL[*]} --municipality=169 --subject=you search "iværksættere"
  ${CTL[*]} --municipality=169 --subject=you export --format=markdown integration-2007
  ${CTL[*]} --municipality=169 --subject=you --roles=editor update \\
      --display_name="Integrationspolitik 2007" integration-2007
  ${CTL[*]} --municipality=169 --subject=you diff integration-2007 1

No identity secret is set, so the services trust unsigned identity headers:
local development only. Ctrl-C stops everything.
INFO
wait "${PIDS[@]}"
