#!/usr/bin/env bash
# Writes k8s/base/config/gateway.textproto: gateway.head.textproto (what is
# the cluster's own) followed by gateway/dev/gateway.textproto without the
# top-level fields that are the cluster's business (listeners, backends,
# authentication, identity secret, logs, descriptor set) and without any
# other field the head sets. So access rules, rate limits and limits are the
# same in the cluster as in development and the tests, unless the head sets
# its own (rate_limits { ... } in the head replaces development's).
# Usage: k8s/base/config/make-gateway-config.sh [OUTPUT]  (default: in place)
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# KOMMUNE_ROOT: the project whose gateway/dev/gateway.textproto to read
# (k8s/check.sh sets it when it checks a copy of k8s/).
ROOT="${KOMMUNE_ROOT:-$(cd "$DIR/../../.." && pwd)}"
OUT="${1:-$DIR/gateway.textproto}"

HEAD="$DIR/gateway.head.textproto"
# Top-level fields start in the first column: "name {" or "name: value".
DROP="grpc http admin backends authentication identity_secret_file logs \
descriptor_set_file $(sed -n 's/^\([a-z_][a-z_]*\)[ :{].*/\1/p' "$HEAD" | sort -u | tr '\n' ' ')"

{
  cat "$HEAD"
  echo
  echo "# ---- From gateway/dev/gateway.textproto (make-gateway-config.sh) ----"
  # Top-level statements whose field is in DROP are left out, with the
  # comment lines just above them; braces inside strings do not count.
  awk -v drop="$DROP" '
    BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) skip[d[i]] = 1 }
    function braces(line,    i, c, q, out) {
      out = 0; q = 0
      for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q && c == "\\") { i++; continue }
        if (c == "\"") q = !q
        else if (!q && c == "#") break
        else if (!q && c == "{") out++
        else if (!q && c == "}") out--
      }
      return out
    }
    # The file header (proto-file, proto-message, the dev comment) goes.
    !started && /^#/ { next }
    !started && /^[[:space:]]*$/ { next }
    { started = 1 }
    depth == 0 && /^[[:space:]]*(#|$)/ { pending = pending $0 "\n"; next }
    depth == 0 {
      field = $0; sub(/^[[:space:]]*/, "", field); sub(/[[:space:]:{].*/, "", field)
      keep = !(field in skip)
      if (keep) printf "%s", pending
      pending = ""
    }
    { depth += braces($0); if (keep) print }
    END { if (depth != 0) { print "unbalanced braces" > "/dev/stderr"; exit 1 } }
  ' "$ROOT/gateway/dev/gateway.textproto"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
