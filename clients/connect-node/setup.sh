#!/usr/bin/env bash
# Prepares the Connect client: installs its pinned npm packages (npm ci,
# from package-lock.json) and generates its code from the contracts in
# proto/ (buf generate with protoc-gen-es, into gen/). Idempotent: each step
# is skipped while its inputs are unchanged since it last ran.
# Usage: clients/connect-node/setup.sh [--offline]
#   --offline  never run npm ci; fail if node_modules is missing or older
#              than package-lock.json (the tests use this).
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROTO="$(cd "$DIR/../../proto" && pwd)"
OFFLINE=""
case "${1:-}" in
  "") ;;
  --offline) OFFLINE=1 ;;
  *) echo "usage: $0 [--offline]" >&2; exit 2 ;;
esac
cd "$DIR"

# One setup at a time: tests and scripts may run it in parallel.
exec 9>"$DIR/.setup.lock"
flock 9

# hash FILE...: one checksum of the files' names and contents.
hash() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

packages="$(hash package.json package-lock.json)"
if [ "$(cat node_modules/.kommune-setup 2>/dev/null)" != "$packages" ]; then
  if [ -n "$OFFLINE" ]; then
    echo "$DIR/node_modules is missing or older than package-lock.json;" \
      "run $DIR/setup.sh" >&2
    exit 1
  fi
  echo "==> npm ci in $DIR" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$packages" >node_modules/.kommune-setup
fi

mapfile -t contracts < <(cd "$PROTO" && find . -type f \
  \( -name '*.proto' -o -name 'buf.yaml' -o -name 'buf.lock' \) | LC_ALL=C sort)
generated="$({ hash buf.gen.yaml package-lock.json
  (cd "$PROTO" && hash "${contracts[@]}"); } | sha256sum | cut -d' ' -f1)"
if [ "$(cat gen/.kommune-setup 2>/dev/null)" != "$generated" ]; then
  echo "==> buf generate: proto/ -> $DIR/gen" >&2
  PATH="$DIR/node_modules/.bin:$PATH" buf generate
  echo "$generated" >gen/.kommune-setup
fi
