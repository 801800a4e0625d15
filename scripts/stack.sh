#!/usr/bin/env bash
# A throw-away whole stack (services, API, saq worker, agent worker, web) on free ports, for
# running one whole-system test by hand while developing:
#   scripts/stack.sh up DIR [--no-web]   start everything under DIR; prints the env file path
#   scripts/stack.sh down DIR            stop everything started under DIR
# Then: set -a; . DIR/env; set +a; TROUPE_DEMO_FILE=DIR/demo.json uv run --frozen pytest tests/e2e/...
# The web app is served from web/.next (build it first: cd web && npm run build), or from
# TROUPE_WEB_DIR (a copy made by scripts/webcopy.sh, built there).
# `make test` does the same inline; this is the by-hand version. Logs: DIR/logs/*.log.
. "$(dirname "$0")/lib.sh"
cmd="${1:?usage: stack.sh up|down DIR [--no-web]}"
W="${2:?usage: stack.sh up|down DIR [--no-web]}"
W="$(mkdir -p "$W" && cd "$W" && pwd)"
export TROUPE_ENV_FILE="$W/env" TROUPE_DATA_DIR="$W/data" TROUPE_RUN_DIR="$W/run" TROUPE_PG_FSYNC=off

down() {
  if [ -f "$W/pids" ]; then
    while read -r pid; do kill -TERM "-$pid" 2>/dev/null || true; done <"$W/pids"
    sleep 1
    while read -r pid; do kill -KILL "-$pid" 2>/dev/null || true; done <"$W/pids"
    rm -f "$W/pids"
  fi
  [ -f "$W/env" ] && "$ROOT/scripts/services.sh" down >/dev/null 2>&1 || true
}

case "$cmd" in
  down) down; exit 0 ;;
  up) ;;
  *) die "usage: stack.sh up|down DIR [--no-web]" ;;
esac

down
rm -rf "$W/data" "$W/run" "$W/logs"; mkdir -p "$W/logs"
"$ROOT/scripts/env.sh" test "$W" >/dev/null
"$ROOT/scripts/services.sh" up >"$W/logs/services.log" 2>&1 || { tail -30 "$W/logs/services.log"; die "services failed"; }
load_env "$W/env"
cd "$ROOT"
uv run --frozen troupe-api prestart >"$W/logs/prestart.log" 2>&1 || { tail -30 "$W/logs/prestart.log"; die "prestart failed"; }
uv run --frozen troupe-api seed --print-demo >"$W/demo.json" 2>>"$W/logs/prestart.log"
start() {
  local name="$1"; shift
  setsid "$@" >"$W/logs/$name.log" 2>&1 &
  echo "$!" >>"$W/pids"
}
start api uv run --frozen troupe-api serve
start worker uv run --frozen troupe-api worker
start agent env "TROUPE_FAKE_LLM_SCRIPT=${TROUPE_FAKE_LLM_SCRIPT:-$ROOT/tests/e2e/scripts/handoff.json}" uv run --frozen troupe-agent start
if [ "${3:-}" != "--no-web" ]; then
  start web bash -c "cd ${TROUPE_WEB_DIR:-$ROOT/web} && TROUPE_DEV_PAGES=1 exec npx next start -H 127.0.0.1 -p $TROUPE_WEB_PORT"
fi
for _ in $(seq 1 120); do
  if curl -fsS "$TROUPE_API_URL/api/v1/readyz" >/dev/null 2>&1 \
     && curl -fsS "http://127.0.0.1:$TROUPE_AGENT_HEALTH_PORT/" >/dev/null 2>&1 \
     && { [ "${3:-}" = "--no-web" ] || curl -fsS "$TROUPE_WEB_URL/" >/dev/null 2>&1; }; then
    echo "$W/env"; exit 0
  fi
  sleep 1
done
tail -n 30 "$W"/logs/*.log
die "the stack did not become ready"
