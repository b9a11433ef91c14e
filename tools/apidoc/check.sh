#!/usr/bin/env bash
# Fails when docs/api/ is not what tools/apidoc/generate.py writes from the
# contracts in proto/ now: regenerates into a temporary folder and compares.
# Usage: tools/apidoc/check.sh [--descriptor_set=FILE]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Debian's python3 with python3-protobuf, not a python3 earlier on PATH.
PYTHON=/usr/bin/python3
TMP="$(mktemp -d /tmp/kommune-apidoc.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT

"$PYTHON" "$ROOT/tools/apidoc/generate.py" --out="$TMP/api" "$@" >/dev/null
if ! changes="$(cd "$ROOT" && diff -ru docs/api "$TMP/api")"; then
  printf '%s\n' "$changes" | head -n 60 >&2 || true
  echo "docs/api is out of date; run tools/apidoc/generate.py" >&2
  exit 1
fi
echo "docs/api is up to date"
