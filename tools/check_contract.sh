#!/usr/bin/env bash
# Checks the contracts in proto/: `buf lint`, and `buf breaking` against the
# released contract, proto/released/v1.binpb: a Buf image (every file of
# proto/ with its imports and comments, as `buf build -o` makes it), first
# made from main as it stood when this check came in. Breaking uses the FILE
# rules that proto/buf.yaml names, the strictest set: besides wire and JSON
# compatibility it keeps every type in the file and package it was released
# in, so that generated code in every language keeps compiling. What v1
# promises and what counts as breaking: docs/versioning.md.
#
# Usage:
#   tools/check_contract.sh              lint, then breaking
#   tools/check_contract.sh --breaking   breaking only (tools/test.sh lints
#                                        in its own step)
#   tools/check_contract.sh --release    checks, then makes proto/ as it is
#                                        now the released contract
#
# Releasing. The image is what clients were promised, so it changes only on
# purpose, in a commit of its own that says so: when a contract change has
# been released (merged, deployed, announced to integrators), run
#   tools/check_contract.sh --release
# and commit proto/released/v1.binpb. From then on the new fields, methods
# and values are promised too, and removing them again is breaking. The
# release is refused if the change breaks the image before it: v1 only grows.
# A change that must break goes into a new package, kommune.<area>.v2, beside
# v1 (docs/versioning.md); the image holds every package under proto/, so
# releasing v2 the same way protects v1 and v2 alike. Never release to make
# a failing check pass.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

RELEASED="$ROOT/proto/released/v1.binpb"
mode="${1:-all}"
case "$mode" in
  all | --breaking | --release) ;;
  *)
    echo "usage: $0 [--breaking | --release]" >&2
    exit 2
    ;;
esac

BUF="$(buf_bin)"
cd "$ROOT/proto"

if [ "$mode" != --breaking ]; then
  say "Linting contracts (buf lint)"
  "$BUF" lint
fi

if [ ! -f "$RELEASED" ]; then
  echo "No released contract at ${RELEASED#"$ROOT"/}; make the first one" \
    "with: $0 --release" >&2
  [ "$mode" = --release ] || exit 1
else
  say "Checking contracts against the released v1 (buf breaking, FILE rules)"
  status=0
  "$BUF" breaking --against "$RELEASED" || status=$?
  if [ "$status" -eq 100 ]; then # buf's code for findings
    cat >&2 <<EOF

The contracts in proto/ break the released contract
(proto/released/v1.binpb). v1 changes only compatibly (docs/versioning.md):
add fields, methods and enum values with new numbers instead of changing or
removing them, reserve what goes away, and put what must break in a new
package kommune.<area>.v2 beside v1.
EOF
    exit 1
  elif [ "$status" -ne 0 ]; then
    echo "buf breaking could not run (exit $status); see above." >&2
    exit 1
  fi
fi

if [ "$mode" = --release ]; then
  say "Releasing proto/ as the v1 contract (${RELEASED#"$ROOT"/})"
  mkdir -p "$(dirname "$RELEASED")"
  "$BUF" build -o "$RELEASED"
  echo "Now commit ${RELEASED#"$ROOT"/} on its own, saying what was released."
fi
