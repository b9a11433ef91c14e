# Shared by tools/run.sh and tools/test.sh: installs what is missing from
# Debian, configures and builds. Source it; it sets ROOT and BUILD.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${KOMMUNE_BUILD_DIR:-$ROOT/build}"
JOBS="${KOMMUNE_JOBS:-2}"
# Relative paths in ccache keys, so clones in other folders share the cache.
export CCACHE_BASEDIR="$ROOT"

# Debian 12 packages the build and the run need.
BUILD_PACKAGES=(
  build-essential cmake ccache pkg-config
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libabsl-dev libsqlite3-dev libpq-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libmicrohttpd-dev nlohmann-json3-dev prometheus-cpp-dev libcsv-dev tzdata
  libcurl4-openssl-dev
)
# What the tests need beyond that.
TEST_PACKAGES=(git grpc-proto postgresql clang-format curl openssl faketime
  chromium python3-protobuf python3-grpcio)

# wait_for_log LOG TEXT PID: waits up to 30 s for a started server's log to
# show TEXT; exits with the log shown if the server died or never did.
wait_for_log() {
  for _ in $(seq 1 300); do
    if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  echo "did not start; its log ($1):" >&2
  cat "$1" >&2
  exit 1
}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# install_missing_packages PACKAGE... (and "npm" for the npm client)
install_missing_packages() {
  local missing=()
  for pkg in "$@"; do
    if [ "$pkg" = npm ]; then
      command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
      continue
    fi
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then return; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}; run as root or install them." >&2
    exit 1
  fi
  say "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

configure_and_build() {
  say "Configuring in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  say "Building (-j$JOBS)"
  cmake --build "$BUILD" -j "$JOBS" -- --no-print-directory
}

# buf from the npm registry, pinned, installed once under .cache/.
BUF_VERSION=1.47.2
buf_bin() {
  local dir="$ROOT/.cache/buf-$BUF_VERSION"
  if [ ! -x "$dir/node_modules/.bin/buf" ]; then
    say "Installing @bufbuild/buf@$BUF_VERSION from npm"
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --no-package-lock \
      --prefix "$dir" "@bufbuild/buf@$BUF_VERSION" >/dev/null
  fi
  echo "$dir/node_modules/.bin/buf"
}
