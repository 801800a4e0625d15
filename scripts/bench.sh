#!/usr/bin/env bash
# Runs the benchmarks against throw-away services (same setup as the tests).
. "$(dirname "$0")/lib.sh"
load_env "${TROUPE_ENV_FILE:-$ROOT/.env}"
cd "$ROOT"
for b in bench/*.py; do log "bench: $b"; uv run --frozen python "$b" "$@"; done
