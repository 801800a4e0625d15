#!/usr/bin/env bash
# Writes an env file. `scripts/env.sh dev` creates .env from .env.example once, with strong
# generated secrets; `scripts/env.sh test DIR` writes DIR/env with free ports for a test run.
. "$(dirname "$0")/lib.sh"
gen() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
render_env() {  # $1 = output file; replaces change-me with secrets, applies overrides from stdin
  python3 - "$1" <<'PY'
import os, pathlib, re, secrets, sys
out = pathlib.Path(sys.argv[1])
src = pathlib.Path(os.environ["ROOT"]) / ".env.example"
overrides = dict(l.split("=", 1) for l in os.environ.get("ENV_OVERRIDES", "").splitlines() if "=" in l)
lines = []
for line in src.read_text().splitlines():
    m = re.match(r"^([A-Z0-9_]+)=(.*)$", line)
    if m:
        k, v = m.groups()
        if k in overrides:
            v = overrides.pop(k)
        elif v == "change-me":
            v = ("APIkey" if k == "LIVEKIT_API_KEY" else "") + secrets.token_urlsafe(24 if k == "LIVEKIT_API_KEY" else 32).replace("-", "x").replace("_", "y")
        line = f"{k}={v}"
    lines.append(line)
lines += [f"{k}={v}" for k, v in overrides.items()]
out.write_text("\n".join(lines) + "\n")
out.chmod(0o600)
PY
}
export ROOT
case "${1:-dev}" in
  dev)
    if [ ! -f "$ROOT/.env" ]; then
      log "creating .env with generated secrets"
      ENV_OVERRIDES="" render_env "$ROOT/.env"
    fi ;;
  test)
    dir="${2:?usage: env.sh test DIR}"; mkdir -p "$dir"
    pg=$(free_port); rd=$(free_port); lk=$(free_port); lkt=$(free_port); api=$(free_port); web=$(free_port); hp=$(free_port); lkm=$(free_port)
    udp=$((40000 + RANDOM % 20000))
    ENV_OVERRIDES="TROUPE_ENV=test
TROUPE_PG_PORT=$pg
TROUPE_REDIS_PORT=$rd
TROUPE_LIVEKIT_PORT=$lk
TROUPE_LIVEKIT_RTC_TCP_PORT=$lkt
TROUPE_LIVEKIT_PROMETHEUS_PORT=$lkm
TROUPE_LIVEKIT_RTC_UDP_START=$udp
TROUPE_LIVEKIT_RTC_UDP_END=$((udp + 60))
TROUPE_API_PORT=$api
TROUPE_WEB_PORT=$web
TROUPE_AGENT_HEALTH_PORT=$hp
DATABASE_URL=postgresql+asyncpg://troupe:troupe@127.0.0.1:$pg/troupe
REDIS_URL=redis://127.0.0.1:$rd/0
LIVEKIT_URL=ws://127.0.0.1:$lk
TROUPE_API_URL=http://127.0.0.1:$api
TROUPE_WEB_URL=http://127.0.0.1:$web
TROUPE_CORS_ORIGINS=http://127.0.0.1:$web
TROUPE_ENABLE_TEST_PROVIDERS=true
OPENAI_API_KEY=
DEEPGRAM_API_KEY=
CARTESIA_API_KEY=
ELEVEN_API_KEY=" render_env "$dir/env"
    echo "$dir/env" ;;
  *) die "usage: $0 dev | test DIR" ;;
esac
