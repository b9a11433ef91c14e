#!/usr/bin/env bash
# Prepares the Python client: generates its message classes and gRPC stubs
# from the contracts in proto/ into gen/ with Debian's protoc and
# grpc_python_plugin, and checks that Debian's Python has the runtime
# (python3-grpcio, python3-protobuf). Idempotent: nothing is generated
# again while the contracts and this script are unchanged. Never installs
# anything; on Debian 12:
#   apt-get install protobuf-compiler protobuf-compiler-grpc \
#     python3-grpcio python3-protobuf
# Usage: clients/python/setup.sh
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROTO="$(cd "$DIR/../../proto" && pwd)"
PROTOC="${PROTOC:-/usr/bin/protoc}"
PLUGIN="${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}"
# Debian's own interpreter: its dist-packages hold python3-grpcio and
# python3-protobuf, which a python3 earlier on PATH (pyenv, venv) may lack.
PYTHON="${KOMMUNE_PYTHON:-/usr/bin/python3}"
if [ $# -ne 0 ]; then
  echo "usage: $0" >&2
  exit 2
fi
cd "$DIR"

missing=()
[ -x "$PROTOC" ] || missing+=("protobuf-compiler ($PROTOC)")
[ -x "$PLUGIN" ] || missing+=("protobuf-compiler-grpc ($PLUGIN)")
if [ ! -x "$PYTHON" ]; then
  missing+=("python3 ($PYTHON)")
else
  "$PYTHON" -c 'import grpc' 2>/dev/null || missing+=("python3-grpcio")
  "$PYTHON" -c 'import google.protobuf' 2>/dev/null ||
    missing+=("python3-protobuf")
fi
if [ ${#missing[@]} -ne 0 ]; then
  echo "$DIR/setup.sh: missing ${missing[*]}; on Debian 12:" \
    "apt-get install protobuf-compiler protobuf-compiler-grpc" \
    "python3-grpcio python3-protobuf" >&2
  exit 3
fi

# One setup at a time: tests and scripts may run it in parallel.
exec 9>"$DIR/.setup.lock"
flock 9

# hash FILE...: one checksum of the files' names and contents.
hash() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

mapfile -t contracts < <(cd "$PROTO" && find . -type f -name '*.proto' |
  sed 's|^\./||' | LC_ALL=C sort)
generated="$({ hash setup.sh
  "$PROTOC" --version
  (cd "$PROTO" && hash "${contracts[@]}"); } | sha256sum | cut -d' ' -f1)"
if [ "$(cat gen/.kommune-setup 2>/dev/null)" == "$generated" ]; then
  exit 0
fi

echo "==> protoc (python, grpc_python): proto/ -> $DIR/gen" >&2
tmp="$(mktemp -d "$DIR/.gen.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# The well-known types (google/protobuf/*.proto) come with protoc
# (/usr/include) and their Python classes with python3-protobuf.
"$PROTOC" -I "$PROTO" \
  --python_out="$tmp" --pyi_out="$tmp" \
  --grpc_python_out="$tmp" --plugin=protoc-gen-grpc_python="$PLUGIN" \
  "${contracts[@]}"
# Check that what was generated imports with the installed runtime.
(cd "$tmp" && "$PYTHON" - "${contracts[@]}" <<'PY'
import importlib, sys
for proto in sys.argv[1:]:
    base = proto[:-len(".proto")].replace("/", ".")
    importlib.import_module(base + "_pb2")
    importlib.import_module(base + "_pb2_grpc")
PY
)
echo "$generated" >"$tmp/.kommune-setup"
rm -rf gen
mv "$tmp" gen
trap - EXIT
