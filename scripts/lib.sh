# Shared helpers for Troupe's scripts. Source it: `. "$(dirname "$0")/lib.sh"`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
export PATH="$TOOLS/bin:$HOME/.local/bin:$PATH"
export GOBIN="$TOOLS/bin"
# Go's module and build caches stay the user's defaults, shared by every checkout, so a fresh
# clone (CI) rebuilds livekit-server and the deploy tools from a warm cache in seconds.
export NEXT_TELEMETRY_DISABLED=1
export UV_LINK_MODE=copy
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"

LIVEKIT_VERSION="v1.13.5"

log() { printf '\033[1;36m[troupe]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[troupe] %s\033[0m\n' "$*" >&2; exit 1; }

# Load KEY=VALUE lines of an env file into the environment (exported).
load_env() {
  local file="$1"
  [ -f "$file" ] || die "missing env file $file"
  set -a
  # shellcheck disable=SC1090
  . "$file"
  set +a
}

# Wait until a TCP port answers on 127.0.0.1, at most $2 seconds.
wait_port() {
  local port="$1" timeout="${2:-30}" i=0
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le $((timeout * 10)) ] || return 1
    sleep 0.1
  done
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
