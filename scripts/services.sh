#!/usr/bin/env bash
# Start/stop Troupe's backing services (PostgreSQL, Redis, LiveKit) as background daemons on
# loopback, with data under $TROUPE_DATA_DIR and pids/logs under $TROUPE_RUN_DIR.
# Usage: scripts/services.sh up|down|status   (env: TROUPE_ENV_FILE, default .env)
. "$(dirname "$0")/lib.sh"
ENV_FILE="${TROUPE_ENV_FILE:-$ROOT/.env}"
load_env "$ENV_FILE"
DATA="${TROUPE_DATA_DIR:-$ROOT/.data/dev}"
RUN="${TROUPE_RUN_DIR:-$ROOT/.run/dev}"
mkdir -p "$DATA" "$RUN/logs"
PGDATA="$DATA/pg"

pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_up() {
  [ -n "$PG_BIN" ] || die "PostgreSQL is not installed (run scripts/install.sh)"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "initialising PostgreSQL data dir $PGDATA"
    mkdir -p "$PGDATA"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$DATA" "$PGDATA"
    pwfile="$(mktemp)"; echo "troupe" >"$pwfile"; chmod 644 "$pwfile"
    pg_as "$PG_BIN/initdb" -D "$PGDATA" -U troupe --pwfile="$pwfile" -A scram-sha-256 -E UTF8 >/dev/null
    rm -f "$pwfile"
  fi
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$RUN/logs" 2>/dev/null || true
  if pg_as "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then return; fi
  log "starting PostgreSQL on 127.0.0.1:$TROUPE_PG_PORT"
  touch "$RUN/logs/postgres.log"; [ "$(id -u)" -eq 0 ] && chown postgres "$RUN/logs/postgres.log"
  pg_as "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$RUN/logs/postgres.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $TROUPE_PG_PORT -k /tmp -c max_connections=200 -c fsync=${TROUPE_PG_FSYNC:-on}" start >/dev/null
  PGPASSWORD=troupe "$PG_BIN/psql" -h 127.0.0.1 -p "$TROUPE_PG_PORT" -U troupe -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='troupe'" | grep -q 1 ||
    PGPASSWORD=troupe "$PG_BIN/createdb" -h 127.0.0.1 -p "$TROUPE_PG_PORT" -U troupe troupe
}

redis_up() {
  if [ -f "$RUN/redis.pid" ] && kill -0 "$(cat "$RUN/redis.pid")" 2>/dev/null; then return; fi
  log "starting Redis on 127.0.0.1:$TROUPE_REDIS_PORT"
  mkdir -p "$DATA/redis"
  redis-server --bind 127.0.0.1 --port "$TROUPE_REDIS_PORT" --dir "$DATA/redis" \
    --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$RUN/logs/redis.log" --save 60 1 >/dev/null
  wait_port "$TROUPE_REDIS_PORT" 20 || die "Redis did not start (see $RUN/logs/redis.log)"
}

livekit_up() {
  if [ -f "$RUN/livekit.pid" ] && kill -0 "$(cat "$RUN/livekit.pid")" 2>/dev/null; then return; fi
  [ -x "$TOOLS/bin/livekit-server" ] || die "livekit-server is not built (run scripts/install.sh)"
  log "starting LiveKit server on 127.0.0.1:$TROUPE_LIVEKIT_PORT"
  # An .env written before LiveKit's metrics port existed still starts (the default port).
  export TROUPE_LIVEKIT_PROMETHEUS_PORT="${TROUPE_LIVEKIT_PROMETHEUS_PORT:-6789}"
  python3 "$ROOT/scripts/render.py" "$ROOT/deploy/livekit.yaml" >"$RUN/livekit.yaml"
  nohup "$TOOLS/bin/livekit-server" --config "$RUN/livekit.yaml" >"$RUN/logs/livekit.log" 2>&1 &
  echo $! >"$RUN/livekit.pid"
  wait_port "$TROUPE_LIVEKIT_PORT" 30 || die "LiveKit did not start (see $RUN/logs/livekit.log)"
}

stop_pidfile() {
  local f="$1" name="$2"
  [ -f "$f" ] || return 0
  local pid; pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "${1:-}" in
  up) pg_up; redis_up; livekit_up ;;
  down)
    stop_pidfile "$RUN/livekit.pid" "LiveKit"
    stop_pidfile "$RUN/redis.pid" "Redis"
    if [ -f "$PGDATA/postmaster.pid" ]; then
      log "stopping PostgreSQL"; pg_as "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
    fi ;;
  status)
    for p in "$TROUPE_PG_PORT:postgres" "$TROUPE_REDIS_PORT:redis" "$TROUPE_LIVEKIT_PORT:livekit"; do
      if wait_port "${p%%:*}" 0; then echo "${p##*:} up (${p%%:*})"; else echo "${p##*:} down"; fi
    done ;;
  *) die "usage: $0 up|down|status" ;;
esac
