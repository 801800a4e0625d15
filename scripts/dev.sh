#!/usr/bin/env bash
# `make dev`: install what is missing, then run the whole platform on offline defaults:
# PostgreSQL, Redis, LiveKit, the API (migrated and seeded), the agent worker and the web app.
# Ctrl-C stops everything this script started.
. "$(dirname "$0")/lib.sh"
"$ROOT/scripts/install.sh" --local-llm || {
  log "warning: the offline LLM (llama-cpp-python) could not be built; agents on local/smollm2 will apologise instead of answering"
  "$ROOT/scripts/install.sh"
}
"$ROOT/scripts/env.sh" dev
load_env "$ROOT/.env"
export TROUPE_ENV_FILE="$ROOT/.env" TROUPE_DATA_DIR="$ROOT/.data/dev" TROUPE_RUN_DIR="$ROOT/.run/dev"
cleanup() { "$ROOT/scripts/services.sh" down || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
"$ROOT/scripts/services.sh" up
( cd "$ROOT" && uv run --frozen troupe-api prestart )
demo="$(cd "$ROOT" && uv run --frozen troupe-api seed --print-demo)"
embed_key="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["embed_key"])' "$demo")"
cat >&2 <<MSG

  Troupe is starting (the first start compiles the web app: up to a minute):
    web app        $TROUPE_WEB_URL
    dashboard      $TROUPE_WEB_URL/dashboard   (login: $TROUPE_DEMO_EMAIL / $TROUPE_DEMO_PASSWORD)
    API            $TROUPE_API_URL/api/v1/docs
    LiveKit        $LIVEKIT_URL
  Press Ctrl-C to stop everything.

MSG
# Once every process answers, say what to do next (the dashboard's home repeats it as a card).
(
  if wait_platform; then
    cat >&2 <<MSG

  ✔ Troupe is ready. What to do next:
    1. Talk to the demo: $TROUPE_WEB_URL/embed/$embed_key
       allow the microphone, press "Start conversation", say hello to Ava, then ask
       "Can I talk to Max about a technical question?" and Ava hands you over to Max.
    2. See that conversation's replay: $TROUPE_WEB_URL/dashboard/sessions
    3. Change Ava's instructions in $TROUPE_WEB_URL/dashboard/agents and talk again.
    Logs of every process are in this terminal; \`make rooms\` lists LiveKit rooms.

MSG
  else
    log "not every process answered within 120 s: read the lines above for the failing one"
  fi
) &
cd "$ROOT" && uv run --frozen honcho -f Procfile.dev -e .env start
