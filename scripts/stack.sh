#!/usr/bin/env bash
# A throw-away whole stack (services, API, saq worker, agent worker, web) on free ports, for
# running one whole-system test by hand while developing:
#   scripts/stack.sh up DIR [--no-web|--next-dev]   start everything under DIR; prints the env
#                                        file path (--next-dev: the web app as `make dev` serves it)
#   scripts/stack.sh down DIR            stop everything started under DIR
# Then: set -a; . DIR/env; set +a; TROUPE_DEMO_FILE=DIR/demo.json uv run --frozen pytest tests/e2e/...
# The web app is served from web/.next (build it first: cd web && npm run build), or from
# TROUPE_WEB_DIR (a copy made by scripts/webcopy.sh, built there).
# It starts the processes as `make test` does (start_platform in lib.sh). Logs: DIR/logs/*.log.
. "$(dirname "$0")/lib.sh"
cmd="${1:?usage: stack.sh up|down DIR [--no-web]}"
W="${2:?usage: stack.sh up|down DIR [--no-web]}"
W="$(mkdir -p "$W" && cd "$W" && pwd)"
export TROUPE_ENV_FILE="$W/env" TROUPE_DATA_DIR="$W/data" TROUPE_RUN_DIR="$W/run" TROUPE_PG_FSYNC=off
export PLATFORM_LOGS="$W/logs" PLATFORM_PIDS="$W/pids"

down() {
  stop_platform
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
web=()
if [ "${3:-}" = "--next-dev" ]; then
  web=(bash -c "cd $ROOT/web && exec npx next dev -H 127.0.0.1 -p $TROUPE_WEB_PORT")
elif [ "${3:-}" != "--no-web" ]; then
  web=(bash -c "cd ${TROUPE_WEB_DIR:-$ROOT/web} && TROUPE_DEV_PAGES=1 exec npx next start -H 127.0.0.1 -p $TROUPE_WEB_PORT")
fi
start_platform "$W/demo.json" "${web[@]}" || die "prestart or seed failed (logs in $W/logs)"
mode="${3:-}"
if wait_platform "${mode/--next-dev/}"; then
  echo "$W/env"; exit 0
fi
tail -n 30 "$W"/logs/*.log
die "the stack did not become ready"
