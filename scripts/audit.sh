#!/usr/bin/env bash
# `make audit`: check the lock files (uv.lock, web/package-lock.json) for known vulnerabilities
# against an OSV database snapshot, fully offline (osv-scanner, built by install.sh).
#   scripts/audit.sh              audit against the snapshot in $TROUPE_OSV_DB (default .data/osv)
#   scripts/audit.sh --download   fetch a fresh snapshot into it (needs network; run where the
#                                 OSV database can be reached, then copy the folder over)
# A snapshot is <dir>/osv-scalibr/<ecosystem>/all.zip for PyPI and npm (OSV's own export).
# Exit codes: 0 clean, 1 vulnerabilities found, 2 no snapshot (says how to get one).
. "$(dirname "$0")/lib.sh"
DB="${TROUPE_OSV_DB:-$ROOT/.data/osv}"
export OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY="$DB"
SCANNER="$TOOLS/bin/osv-scanner"
[ -x "$SCANNER" ] || die "osv-scanner is missing: run scripts/install.sh"
cd "$ROOT"
LOCKS=(-L uv.lock -L web/package-lock.json)
if [ "${1:-}" = "--download" ]; then
  mkdir -p "$DB"
  "$SCANNER" scan source --offline-vulnerabilities --download-offline-databases "${LOCKS[@]}" || [ "$?" = 1 ]
  exit 0
fi
missing=()
for eco in PyPI npm; do [ -s "$DB/osv-scalibr/$eco/all.zip" ] || missing+=("$eco"); done
if [ "${#missing[@]}" -gt 0 ]; then
  printf '[troupe] no OSV snapshot for %s in %s.\n' "${missing[*]}" "$DB" >&2
  printf '[troupe] get one with `scripts/audit.sh --download` on a machine with network access (or\n' >&2
  printf '[troupe] copy OSV'"'"'s <ecosystem>/all.zip exports to %s/osv-scalibr/<ecosystem>/all.zip).\n' "$DB" >&2
  exit 2
fi
log "auditing uv.lock and web/package-lock.json against the OSV snapshot in $DB"
"$SCANNER" scan source --offline --offline-vulnerabilities "${LOCKS[@]}"
