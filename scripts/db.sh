#!/usr/bin/env bash
# Backup and restore of the dev database with pg_dump / pg_restore (custom format).
#   scripts/db.sh backup            -> backups/troupe-YYYYmmdd-HHMMSS.dump
#   scripts/db.sh restore FILE      -> replaces the database's contents with FILE
. "$(dirname "$0")/lib.sh"
load_env "${TROUPE_ENV_FILE:-$ROOT/.env}"
export PGPASSWORD=troupe
conn=(-h 127.0.0.1 -p "$TROUPE_PG_PORT" -U troupe)
db="${TROUPE_DB_NAME:-troupe}"
case "${1:-}" in
  backup)
    mkdir -p "$ROOT/backups"
    out="${2:-$ROOT/backups/troupe-$(date +%Y%m%d-%H%M%S).dump}"
    "$PG_BIN/pg_dump" "${conn[@]}" -Fc -d "$db" -f "$out"
    log "backup written to $out"; echo "$out" ;;
  restore)
    file="${2:?usage: db.sh restore FILE}"; [ -f "$file" ] || die "no such file $file"
    "$PG_BIN/pg_restore" "${conn[@]}" -d "$db" --clean --if-exists --no-owner "$file"
    log "restored $file into $db" ;;
  *) die "usage: $0 backup [FILE] | restore FILE" ;;
esac
