#!/usr/bin/env bash
# `make test`: every test suite against throw-away services on free ports.
#   1. unit/integration: contracts, api, agent (pytest; real Postgres + Redis + LiveKit)
#   2. web unit tests (Vitest)
#   3. whole system: API + agent worker + web app started for real, then tests/e2e (pytest +
#      Playwright on Debian Chromium) and the web shell browser tests.
# Exits non-zero when any suite fails. Idempotent; leaves nothing running.
. "$(dirname "$0")/lib.sh"
# --local-llm: the offline LLM runtime (llama-cpp-python, built once and cached) and its models,
# so the local-LLM tests run here; TROUPE_REQUIRE_LOCAL_LLM turns their skip into a failure.
"$ROOT/scripts/install.sh" --local-llm
export TROUPE_REQUIRE_LOCAL_LLM=1

WORK="$ROOT/.run/test"
rm -rf "$WORK"; mkdir -p "$WORK"
ENV_FILE="$("$ROOT/scripts/env.sh" test "$WORK")"
export TROUPE_ENV_FILE="$ENV_FILE" TROUPE_DATA_DIR="$WORK/data" TROUPE_RUN_DIR="$WORK/run" TROUPE_PG_FSYNC=off
load_env "$ENV_FILE"
LOGS="$WORK/run/logs"; mkdir -p "$LOGS" "$ROOT/test-results"
export PLATFORM_LOGS="$LOGS" PLATFORM_PIDS="$WORK/pids"
cleanup() {
  stop_platform
  "$ROOT/scripts/services.sh" down >/dev/null 2>&1 || true
  rm -rf "$ROOT/test-results/logs"; cp -r "$LOGS" "$ROOT/test-results/logs" 2>/dev/null || true
}
trap cleanup EXIT
"$ROOT/scripts/services.sh" up

FAILED=()
suite() {  # suite NAME CMD...: run a suite, record failure, keep going
  local name="$1"; shift
  log "── $name"
  if "$@"; then log "✔ $name"; else log "✘ $name"; FAILED+=("$name"); fi
}

# Unit/integration tests get their own database and Redis db, so they never touch the data the
# running stack of step 3 uses.
PGPASSWORD=troupe "$PG_BIN/createdb" -h 127.0.0.1 -p "$TROUPE_PG_PORT" -U troupe troupe_unit
unit_env
cd "$ROOT"
suite "lint (ruff)" uv run --frozen ruff check contracts api agent tests bench
suite "format (ruff)" uv run --frozen ruff format --check .
suite "types (mypy --strict)" uv run --frozen mypy contracts/src api/src agent/src
# The unit suites run under coverage (Python: coverage.py with branches; web: Vitest's V8); the
# totals are printed at the end and written to coverage/summary.txt (`make coverage` runs only
# these suites, with HTML reports).
COV="$ROOT/coverage"; rm -rf "$COV"; mkdir -p "$COV"
suite "python unit + integration (with coverage)" "${UNIT_ENV[@]}" "COVERAGE_FILE=$COV/.coverage" \
  uv run --frozen pytest -q -rs contracts/tests api/tests agent/tests tests/infra tests/deploy -p no:cacheprovider \
  "${PY_COV_ARGS[@]}" --cov-report= --cov-report="json:$COV/python.json"
suite "web lint + types (eslint, prettier, tsc)" bash -c "cd web && npm run lint --silent && npm run typecheck --silent"
suite "web unit (vitest, with coverage)" bash -c "cd web && npx vitest run $WEB_COV_ARGS \
  --coverage.reporter=json-summary --coverage.reportsDirectory='$COV/web'"

# ── whole system
log "building the web app"
# The production artifact the web image ships: Next's standalone server with its static files.
( cd web && TROUPE_WEB_STANDALONE=1 npm run build --silent >"$LOGS/web-build.log" 2>&1 \
  && cp -r public .next/standalone/public && cp -r .next/static .next/standalone/.next/static ) \
  || { tail -50 "$LOGS/web-build.log"; FAILED+=("web build"); }
export TROUPE_DEMO_FILE="$WORK/demo.json"
start_platform "$TROUPE_DEMO_FILE" \
  env TROUPE_DEV_PAGES=1 HOSTNAME=127.0.0.1 "PORT=$TROUPE_WEB_PORT" node web/.next/standalone/server.js \
  || FAILED+=("api prestart + seed")
ready=0
wait_platform && ready=1
if [ "$ready" = 1 ]; then
  suite "whole system (tests/e2e)" uv run --frozen pytest -q -rs tests/e2e -p no:cacheprovider
  suite "web browser shell (playwright)" bash -c "cd web && npm run test:browser --silent"
  # The first five minutes as a new user meets them: the web app the way `make dev` serves it
  # (`next dev`, React Strict Mode), the seeded demo on the offline models, one spoken turn.
  stop_logged web
  start_logged web-dev bash -c "cd web && exec npx next dev -H 127.0.0.1 -p $TROUPE_WEB_PORT"
  if wait_platform; then
    suite "first five minutes under next dev (tests/dev_mode)" \
      uv run --frozen pytest -q -rs tests/dev_mode -p no:cacheprovider
  else
    log "next dev did not answer; logs:"; tail -n 40 "$LOGS/web-dev.log"; FAILED+=("next dev")
  fi
else
  log "the stack did not become ready; logs:"; tail -n 40 "$LOGS"/{api,agent,web}.log
  FAILED+=("stack startup")
fi

uv run --frozen python "$ROOT/scripts/coverage_summary.py" "$COV" | tee "$COV/summary.txt"
if [ "${#FAILED[@]}" -gt 0 ]; then
  log "FAILED suites: ${FAILED[*]}"; exit 1
fi
log "all suites passed"
