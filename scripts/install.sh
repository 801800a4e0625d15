#!/usr/bin/env bash
# Installs whatever is missing for Troupe on a fresh Debian machine. Idempotent: a second run
# only checks. Usage: scripts/install.sh [--local-llm]
. "$(dirname "$0")/lib.sh"
WANT_LOCAL_LLM=0
[ "${1:-}" = "--local-llm" ] && WANT_LOCAL_LLM=1

APT_PACKAGES=(postgresql postgresql-server-dev-all build-essential redis-server chromium espeak-ng sox libsox-fmt-all ffmpeg fonts-dejavu-core docker-compose)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pgvector (knowledge-base vectors): Debian bookworm does not package it. Its release source is
# fetched through the Go module proxy (a registry: any tagged repository is served as a module
# zip, checksummed by the Go checksum database) and built against the installed PostgreSQL
# major with PGXS, once.
PGVECTOR_VERSION="v0.8.6"
PG_MAJOR="$(basename "$(dirname "$PG_BIN")")"
if [ -n "$PG_BIN" ] && [ ! -f "/usr/share/postgresql/$PG_MAJOR/extension/vector.control" ]; then
  log "building pgvector $PGVECTOR_VERSION for PostgreSQL $PG_MAJOR"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  src="$(cd /tmp && go mod download -json "github.com/pgvector/pgvector@$PGVECTOR_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  build="$(mktemp -d)"; cp -r "$src/." "$build"; chmod -R u+w "$build"
  PGCONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"; [ -x "$PGCONFIG" ] || PGCONFIG=pg_config
  make -C "$build" -s PG_CONFIG="$PGCONFIG" OPTFLAGS="" with_llvm=no >/dev/null
  $SUDO make -C "$build" -s PG_CONFIG="$PGCONFIG" OPTFLAGS="" with_llvm=no install >/dev/null
  rm -rf "$build"
fi

if ! command -v uv >/dev/null 2>&1; then
  log "installing uv"
  python3 -m pip install --quiet --user "uv==0.9.30" || python3 -m pip install --quiet "uv==0.9.30"
fi

log "syncing Python workspace (uv)"
# --inexact keeps the optional offline-LLM runtime when a plain install runs after `make dev`.
( cd "$ROOT" && uv sync --frozen --inexact --quiet )
if [ "$WANT_LOCAL_LLM" = 1 ]; then
  # llama.cpp's default -march=native build crashes on this CPU family (AMX); see LOCAL-MODELS.md.
  if ! "$ROOT/.venv/bin/python" -c "import llama_cpp" 2>/dev/null; then
    log "building llama-cpp-python for the offline LLM (a few minutes, cached afterwards)"
  fi
  ( cd "$ROOT" && CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF" \
      uv sync --frozen --inexact --quiet --extra local-llm )
fi

if [ ! -x "$TOOLS/bin/livekit-server" ] || ! "$TOOLS/bin/livekit-server" --version 2>/dev/null | grep -q "${LIVEKIT_VERSION#v}"; then
  log "building livekit-server $LIVEKIT_VERSION from its Go module"
  mkdir -p "$TOOLS/bin"
  go install "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION"
  mv -f "$TOOLS/bin/server" "$TOOLS/bin/livekit-server"
fi

# Deploy tooling for tests/deploy: helm (chart lint/render), kubeconform (manifest validation),
# promtool (alert rules), and the Kubernetes JSON schemas bundled in the kubernetes-validate
# package, so manifests validate offline.
HELM_VERSION="v3.22.0"; KUBECONFORM_VERSION="v0.8.0"; PROMTOOL_MODULE_VERSION="v0.316.0"
if [ ! -x "$TOOLS/bin/helm" ] || ! "$TOOLS/bin/helm" version --short 2>/dev/null | grep -q "${HELM_VERSION%.*}"; then
  log "building helm $HELM_VERSION from its Go module"
  go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
if [ ! -x "$TOOLS/bin/kubeconform" ]; then
  log "building kubeconform $KUBECONFORM_VERSION from its Go module"
  go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
fi
if [ ! -x "$TOOLS/bin/promtool" ]; then
  log "building promtool (prometheus module $PROMTOOL_MODULE_VERSION; a few minutes the first time)"
  go install "github.com/prometheus/prometheus/cmd/promtool@$PROMTOOL_MODULE_VERSION"
fi
# osv-scanner for `make audit`: lock files against an OSV database snapshot, offline.
OSV_SCANNER_VERSION="v2.5.0"
if [ ! -x "$TOOLS/bin/osv-scanner" ] || ! "$TOOLS/bin/osv-scanner" --version 2>/dev/null | grep -q "${OSV_SCANNER_VERSION#v}"; then
  log "building osv-scanner $OSV_SCANNER_VERSION from its Go module"
  go install "github.com/google/osv-scanner/v2/cmd/osv-scanner@$OSV_SCANNER_VERSION"
fi
if [ ! -d "$TOOLS/k8s-schemas/kubernetes_validate/kubernetes-json-schema" ]; then
  log "installing the Kubernetes JSON schemas (kubernetes-validate)"
  uv pip install --quiet --target "$TOOLS/k8s-schemas" --no-deps "kubernetes-validate==1.37.0"
fi

if [ -f "$ROOT/web/package-lock.json" ]; then
  stamp="$ROOT/web/node_modules/.troupe-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/web/package-lock.json" "$stamp"; then
    log "installing web dependencies (npm ci)"
    ( cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error )
    cp "$ROOT/web/package-lock.json" "$stamp"
  fi
fi
log "install complete"
