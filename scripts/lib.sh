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

free_port() {  # the one free-port helper of scripts, tests and bench (tests/localhost.py)
  python3 "$ROOT/tests/localhost.py" free-port
}

# ── The platform's processes for a throw-away stack (scripts/test.sh, scripts/stack.sh).
# Each runs in its own process group with its output in $PLATFORM_LOGS/<name>.log and its pid
# appended to the file $PLATFORM_PIDS; stop_platform ends those groups. Run from $ROOT with the
# stack's env loaded.
start_logged() {  # start_logged NAME CMD...
  local name="$1"; shift
  setsid "$@" >"$PLATFORM_LOGS/$name.log" 2>&1 &
  echo "$!" >>"$PLATFORM_PIDS"
  echo "$!" >"$PLATFORM_PIDS.$name"
}

stop_logged() {  # stop_logged NAME: end one process group started by start_logged
  local pid
  [ -f "$PLATFORM_PIDS.$1" ] || return 0
  pid="$(cat "$PLATFORM_PIDS.$1")"
  kill -TERM "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "-$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "-$pid" 2>/dev/null || true
  rm -f "$PLATFORM_PIDS.$1"
}

stop_platform() {
  [ -f "${PLATFORM_PIDS:-}" ] || return 0
  local pid
  while read -r pid; do kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done <"$PLATFORM_PIDS"
  sleep 1
  while read -r pid; do kill -KILL "-$pid" 2>/dev/null || true; done <"$PLATFORM_PIDS"
  rm -f "$PLATFORM_PIDS" "$PLATFORM_PIDS".*
}

# start_platform DEMO_FILE [WEB_CMD...]: migrations and seed (the demo logins go to DEMO_FILE),
# then the API, the saq worker, the agent worker (fake/scripted agents follow
# $TROUPE_FAKE_LLM_SCRIPT, by default the whole-system tests' script) and, given a command, the
# web app. Returns 1 when the migrations or the seed fail.
start_platform() {
  local demo="$1"; shift
  uv run --frozen troupe-api prestart >"$PLATFORM_LOGS/prestart.log" 2>&1 \
    && uv run --frozen troupe-api seed --print-demo >"$demo" 2>>"$PLATFORM_LOGS/prestart.log" \
    || { tail -50 "$PLATFORM_LOGS/prestart.log" >&2; return 1; }
  start_logged api uv run --frozen troupe-api serve
  start_logged worker uv run --frozen troupe-api worker
  start_logged agent env "TROUPE_FAKE_LLM_SCRIPT=${TROUPE_FAKE_LLM_SCRIPT:-$ROOT/tests/e2e/scripts/handoff.json}" \
    uv run --frozen troupe-agent start
  [ "$#" -eq 0 ] || start_logged web "$@"
}

# wait_platform [--no-web]: until the API is ready, the agent worker's health answers and
# (unless --no-web) the web app answers; at most 120 s. Returns 1 on time-out.
wait_platform() {
  local _
  for _ in $(seq 1 120); do
    if curl -fsS "$TROUPE_API_URL/api/v1/readyz" >/dev/null 2>&1 \
       && curl -fsS "http://127.0.0.1:$TROUPE_AGENT_HEALTH_PORT/" >/dev/null 2>&1 \
       && { [ "${1:-}" = "--no-web" ] || curl -fsS "$TROUPE_WEB_URL/" >/dev/null 2>&1; }; then
      return 0
    fi
    sleep 1
  done
  return 1
}

# The coverage options of `make test` and `make coverage` (one place for both).
PY_COV_ARGS=(--cov=troupe_contracts --cov=troupe_api --cov=troupe_agent --cov-branch)
WEB_COV_ARGS="--coverage.enabled --coverage.provider=v8 --coverage.include='src/**'"
unit_env() {  # unit_env: the env(1) words for the unit suites' Postgres database and Redis
  UNIT_ENV=(env "DATABASE_URL=postgresql+asyncpg://troupe:troupe@127.0.0.1:$TROUPE_PG_PORT/troupe_unit" "REDIS_URL=redis://127.0.0.1:$TROUPE_REDIS_PORT/1")
}
