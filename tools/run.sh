#!/usr/bin/env bash
# Runs the whole suite on this machine: every service on SQLite files under
# a local data folder, with demo data from fixtures/. Stop with Ctrl-C.
# Environment: KOMMUNE_DATA_DIR (default ./data), KOMMUNE_HOST (127.0.0.1).
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

install_missing_packages "${BUILD_PACKAGES[@]}"
# Only the binaries: the tests are the test command's business.
say "Configuring in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
SERVERS=(policy_server hearing_server followup_server esdh_connector)
say "Building ${SERVERS[*]} gateway kommunectl devtoken"
cmake --build "$BUILD" -j "$JOBS" \
  --target "${SERVERS[@]}" gateway kommunectl devtoken -- --no-print-directory

DATA="${KOMMUNE_DATA_DIR:-$ROOT/data}"
HOST="${KOMMUNE_HOST:-127.0.0.1}"
mkdir -p "$DATA/logs" "$DATA/gateway"
declare -A PORT=([policy_server]=50051 [hearing_server]=50052
  [followup_server]=50053 [esdh_connector]=50054)
declare -A EXTRA_ARGS=([hearing_server]="--policy_address=$HOST:50051"
  [followup_server]="--policy_address=$HOST:50051"
  [esdh_connector]="--config=$DATA/esdh/connector.textproto")
# The ESDH connector follows every feed and, for the demo municipalities,
# drops each journalised document into data/esdh/journal/ (docs/esdh.md).
mkdir -p "$DATA/esdh/journal"
{
  for feed in policy:50051 hearing:50052 followup:50053; do
    echo "feeds { service: \"${feed%%:*}\" address: \"$HOST:${feed#*:}\" }"
  done
  for code in 101 169 190; do
    echo "sinks { municipality_code: \"$code\" file_drop { directory: \"journal\" } }"
  done
} >"$DATA/esdh/connector.textproto"
PIDS=()

# The gateway's development setup under data/gateway/: the committed
# configuration, plus keys made here on first run and kept between runs.
GW="$DATA/gateway"
SECRET_FILE="$GW/identity-secret"
if [ ! -s "$SECRET_FILE" ]; then
  (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SECRET_FILE")
fi
if [ ! -s "$GW/dev-api-key" ]; then
  "$BUILD/bin/gateway" --new_api_key=dev-loader >"$GW/dev-api-key.new"
  sed -n 's/^#   x-api-key: //p' "$GW/dev-api-key.new" >"$GW/dev-api-key"
  # The configuration entry, bound to the demo municipalities.
  sed -e '/^#/d' -e 's/  municipalities: "...".*/  municipalities: "101"\
  municipalities: "169"\
  municipalities: "190"/' \
      -e 's/  roles: "integration"/  roles: "integration"\
  roles: "editor"/' "$GW/dev-api-key.new" >"$GW/dev-api-key.textproto"
  rm -f "$GW/dev-api-key.new"
fi
# The API key's entry goes into the configuration's authentication block.
sed -e "/^authentication {/r $GW/dev-api-key.textproto" \
    -e "s/127.0.0.1:/$HOST:/g" \
    "$ROOT/gateway/dev/gateway.textproto" >"$GW/gateway.textproto"
TOKEN="$("$BUILD/bin/devtoken" --key_dir="$GW" --subject=udvikler@kommune.dk \
  --municipalities=101,169,190 --roles=viewer,editor,secretary,analyst)"

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
  name="${name%_connector}"
  log="$DATA/logs/$name.log"
  # Keep the previous run's log; wait for this run's "serving" line only.
  [ -f "$log" ] && mv "$log" "$log.1"
  # shellcheck disable=SC2086  # EXTRA_ARGS holds several flags
  "$BUILD/bin/$server" --listen="$HOST:${PORT[$server]}" \
    --database="sqlite://$DATA/$name.db" \
    --identity_secret_file="$SECRET_FILE" ${EXTRA_ARGS[$server]:-} 2>"$log" &
  PIDS+=($!)
  wait_for_log "$log" '"serving"' "${PIDS[-1]}"
done

log="$DATA/logs/gateway.log"
[ -f "$log" ] && mv "$log" "$log.1"
"$BUILD/bin/gateway" --config="$GW/gateway.textproto" 2>"$log" &
PIDS+=($!)
wait_for_log "$log" "gateway listening" "${PIDS[-1]}"

# Demo data goes straight to the service, signed like the gateway signs.
CTL=("$BUILD/bin/kommunectl" --policy_address="$HOST:${PORT[policy_server]}"
     --identity_secret="$(cat "$SECRET_FILE")")
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
# The municipalities' process templates for political treatment.
for template in 101:koebenhavn_2010 169:hoeje_taastrup_2007 190:furesoe_2018; do
  code="${template%%:*}" file="${template#*:}"
  if ! out="$("${CTL[@]}" --hearing_address="$HOST:${PORT[hearing_server]}" \
      --municipality="$code" --roles=secretary --subject=demo \
      treatment template create "${file//_/-}" \
      "$ROOT/services/hearing/testdata/$file.textproto" 2>&1)"; then
    case "$out" in *ALREADY_EXISTS*) ;; *) echo "$out" >&2; exit 1 ;; esac
  fi
done
# Follow-up on the 2007 policy: one indicator of each kind, values for
# 2007-2010 (made up, see fixtures/followup/demo/README.md), a person's
# assessment, and the published report of 2010. Request ids make reruns
# harmless.
FOLLOWUP=("${CTL[@]}" --followup_address="$HOST:${PORT[followup_server]}"
          --municipality=169 --roles=analyst --subject=demo followup)
DEMO="$ROOT/fixtures/followup/demo"
for file in "$DEMO"/*.textproto; do
  if ! out="$("${FOLLOWUP[@]}" indicator create \
      "$(basename "$file" .textproto)" "$file" 2>&1)"; then
    case "$out" in *ALREADY_EXISTS*) ;; *) echo "$out" >&2; exit 1 ;; esac
  fi
done
"${FOLLOWUP[@]}" import --request_id=demo-169-values \
  "$DEMO/measurements.csv" >/dev/null
"${FOLLOWUP[@]}" record --request_id=demo-169-assessment \
  --assessment=on_track --note="Jobcentret har en fast kontaktperson for \
veluddannede flygtninge; 14 er i job eller uddannelse." \
  veluddannede-flygtninge 2009 - >/dev/null
"${FOLLOWUP[@]}" report create --request_id=demo-169-report \
  --policy=integration-2007 --display_name="Årlig redegørelse 2010" \
  --date=2010-03-31 redegoerelse-2010 >/dev/null
"${FOLLOWUP[@]}" report publish redegoerelse-2010 >/dev/null

API_KEY="$(cat "$GW/dev-api-key")"
cat <<INFO

The suite is running (logs: $DATA/logs, databases: $DATA/*.db):
  gateway          $HOST:8443 gRPC (h2c)   $HOST:8080 JSON (Connect)
                   $HOST:9090 /metrics /healthz /readyz
  policy service   $HOST:${PORT[policy_server]} (behind the gateway)
  hearing service  $HOST:${PORT[hearing_server]} (behind the gateway)
  follow-up        $HOST:${PORT[followup_server]} (behind the gateway)
  ESDH connector   $HOST:${PORT[esdh_connector]} (behind the gateway; files in $DATA/esdh/journal)

A development token (12 hours; viewer, editor, secretary and analyst in
101 København, 169 Høje-Taastrup and 190 Furesø; a new one with
$BUILD/bin/devtoken --key_dir=$GW --help):
  TOKEN=$TOKEN

Try it from another terminal:
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
    -d '{"parent": "municipalities/169"}' \\
    http://$HOST:8080/kommune.policy.v1.PolicyService/ListPolicies
  curl -s -H "x-api-key: $API_KEY" -H 'Content-Type: application/json' \\
    -d '{"parent": "municipalities/190", "query": "dansk"}' \\
    http://$HOST:8080/kommune.policy.v1.PolicyService/SearchPolicies
  curl -s -H 'Content-Type: application/json' \
    -d '{"name": "municipalities/169/followUpReports/redegoerelse-2010", "format": "REPORT_FORMAT_HTML"}' \
    http://$HOST:8080/kommune.followup.v1.FollowUpService/ExportFollowUpReport
  curl -s http://$HOST:9090/metrics | grep kommune_gateway_calls_total

The services are reached directly too, for tools that sign their own
identity headers (kommunectl):
  ${CTL[*]} --municipality=169 --subject=you list

Ctrl-C stops everything.
INFO
wait "${PIDS[@]}"
