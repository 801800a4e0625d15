#!/usr/bin/env bash
# List the dev LiveKit server's rooms and participants.
. "$(dirname "$0")/lib.sh"
load_env "${TROUPE_ENV_FILE:-$ROOT/.env}"
cd "$ROOT" && uv run --frozen python scripts/rooms.py
