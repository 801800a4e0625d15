#!/usr/bin/env bash
# `make coverage`: the Python unit + integration suites under coverage.py (pytest-cov) and the
# web unit tests under Vitest's V8 coverage, against throw-away services like `make test`.
# Prints the totals at the end and writes them to coverage/summary.txt (details: coverage/python.json,
# coverage/web/coverage-summary.json, HTML in coverage/python-html and coverage/web).
# `make test` runs the same suites with coverage and prints the totals; this adds the HTML
# reports and runs nothing else.
# Arguments (optional): the Python test paths to run instead of all of them, e.g.
#   scripts/coverage.sh api/tests/test_api_auth.py     (the web suite always runs whole)
# Exits non-zero when a suite fails. Leaves nothing running.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
OUT="$ROOT/coverage"
rm -rf "$OUT"; mkdir -p "$OUT"

WORK="$ROOT/.run/coverage"
rm -rf "$WORK"; mkdir -p "$WORK"
ENV_FILE="$("$ROOT/scripts/env.sh" test "$WORK")"
export TROUPE_ENV_FILE="$ENV_FILE" TROUPE_DATA_DIR="$WORK/data" TROUPE_RUN_DIR="$WORK/run" TROUPE_PG_FSYNC=off
load_env "$ENV_FILE"
trap '"$ROOT/scripts/services.sh" down >/dev/null 2>&1 || true' EXIT
"$ROOT/scripts/services.sh" up
PGPASSWORD=troupe "$PG_BIN/createdb" -h 127.0.0.1 -p "$TROUPE_PG_PORT" -U troupe troupe_unit

PY_TESTS=("$@")
[ "${#PY_TESTS[@]}" -gt 0 ] || PY_TESTS=(contracts/tests api/tests agent/tests)
FAILED=()
log "── python unit + integration, with coverage"
unit_env
"${UNIT_ENV[@]}" "COVERAGE_FILE=$OUT/.coverage" \
  uv run --frozen pytest -q -rs "${PY_TESTS[@]}" -p no:cacheprovider \
  "${PY_COV_ARGS[@]}" --cov-report=term:skip-covered --cov-report="json:$OUT/python.json" \
  --cov-report="html:$OUT/python-html" || FAILED+=("python")

log "── web unit (vitest), with coverage"
bash -c "cd web && npx vitest run $WEB_COV_ARGS --coverage.reporter=text-summary \
  --coverage.reporter=json-summary --coverage.reporter=html --coverage.reportsDirectory='$OUT/web'" \
  || FAILED+=("web")

uv run --frozen python "$ROOT/scripts/coverage_summary.py" "$OUT" | tee "$OUT/summary.txt"
if [ "${#FAILED[@]}" -gt 0 ]; then
  log "FAILED: ${FAILED[*]}"; exit 1
fi
