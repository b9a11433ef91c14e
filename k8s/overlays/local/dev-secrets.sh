#!/usr/bin/env bash
# Prints the Secrets of the local overlay as YAML, for a laptop cluster only:
#
#   kubectl apply -k k8s/overlays/local          # namespace, pods wait
#   k8s/overlays/local/dev-secrets.sh | kubectl apply -f -
#
#   kommune-identity  identity-secret: random, made once
#   gateway-auth      jwks.json: the development signing key's JWKS
#                     (devtoken, kid dev-1), api-keys.textproto: one API
#                     key, "dev-loader", for 101, 169 and 190 (integration
#                     and editor)
#
# The keys stay in data/k8s-local/ (KOMMUNE_DATA_DIR/k8s-local), so later
# runs print the same Secrets and more tokens can be made there. On
# standard error it prints a token (viewer, editor, secretary, analyst in
# 101, 169, 190) and the API key. Needs build/bin/devtoken and
# build/bin/gateway (KOMMUNE_BIN_DIR). Never use these keys in production.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
BIN="${KOMMUNE_BIN_DIR:-$ROOT/build/bin}"
DATA="${KOMMUNE_DATA_DIR:-$ROOT/data}/k8s-local"
HEAD="$(dirname "${BASH_SOURCE[0]}")/../../base/config/gateway.head.textproto"

# The issuer and audience the cluster's gateway expects.
field() { sed -n "s/^ *$1: \"\\(.*\\)\"\$/\\1/p" "$HEAD" | head -n 1; }
ISSUER="$(field issuer)"
AUDIENCE="$(field audience)"

umask 077
mkdir -p "$DATA"
chmod 700 "$DATA"
if [ ! -s "$DATA/identity-secret" ]; then
  (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DATA/identity-secret")
fi
TOKEN="$("$BIN/devtoken" --key_dir="$DATA" --issuer="$ISSUER" \
  --audience="$AUDIENCE" --subject=udvikler@kommune.dk \
  --municipalities=101,169,190 --roles=viewer,editor,secretary,analyst \
  2>/dev/null)"
if [ ! -s "$DATA/api-keys.textproto" ]; then
  "$BIN/gateway" --new_api_key=dev-loader >"$DATA/api-key.new"
  sed -n 's/^#   x-api-key: //p' "$DATA/api-key.new" >"$DATA/api-key"
  sed -e '/^#/d' -e 's/  municipalities: "...".*/  municipalities: "101"\
  municipalities: "169"\
  municipalities: "190"/' \
      -e 's/  roles: "integration"/  roles: "integration"\
  roles: "editor"/' "$DATA/api-key.new" >"$DATA/api-keys.textproto"
  rm -f "$DATA/api-key.new"
fi

# indent FILE: the file as a YAML block scalar's lines.
indent() { sed 's/^/    /' "$1"; }

cat <<EOF
# Development Secrets for k8s/overlays/local (k8s/overlays/local/dev-secrets.sh).
apiVersion: v1
kind: Secret
metadata:
  name: kommune-identity
  namespace: kommune
type: Opaque
stringData:
  identity-secret: "$(cat "$DATA/identity-secret")"
---
apiVersion: v1
kind: Secret
metadata:
  name: gateway-auth
  namespace: kommune
type: Opaque
stringData:
  jwks.json: |
$(indent "$DATA/jwks.json")
  api-keys.textproto: |
$(indent "$DATA/api-keys.textproto")
EOF

cat >&2 <<EOF
A token (12 hours; more with $BIN/devtoken --key_dir=$DATA --issuer=$ISSUER --audience=$AUDIENCE):
  TOKEN=$TOKEN
The API key (x-api-key):
  $(cat "$DATA/api-key")
EOF
