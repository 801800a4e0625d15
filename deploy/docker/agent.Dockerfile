# syntax=docker/dockerfile:1.7
# Agent worker image: livekit-agents worker with the offline models (they ship inside Python
# packages: faster-whisper model, Piper voice, Silero VAD) and espeak-ng for the fallback voice.
#   docker build -f deploy/docker/agent.Dockerfile -t troupe-agent .
# Build with --build-arg EXTRAS=local-llm to add the llama.cpp runtime (compiled: slow build).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG EXTRAS=""
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.9.30
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY contracts/pyproject.toml contracts/pyproject.toml
COPY api/pyproject.toml api/pyproject.toml
COPY agent/pyproject.toml agent/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package troupe-agent \
      ${EXTRAS:+--extra ${EXTRAS}}
COPY contracts contracts
COPY agent agent
# llama.cpp's -march=native build crashes on some CPUs (see LOCAL-MODELS.md): portable flags.
RUN --mount=type=cache,target=/root/.cache/uv \
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
    uv sync --frozen --no-dev --package troupe-agent ${EXTRAS:+--extra ${EXTRAS}}

FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng libgomp1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 troupe \
 && useradd --system --uid 10001 --gid troupe --home-dir /app --shell /usr/sbin/nologin troupe \
 && mkdir -p /data/spool /data/knowledge /tmp/prometheus \
 && chown -R troupe:troupe /data /tmp/prometheus
WORKDIR /app
COPY --from=build --chown=troupe:troupe /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp XDG_CACHE_HOME=/tmp/cache \
    HF_HUB_OFFLINE=1 \
    TROUPE_AGENT_HEALTH_PORT=8081 \
    TROUPE_AGENT_METRICS_PORT=9464 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    TROUPE_AGENT_SPOOL_DIR=/data/spool
USER 10001:10001
EXPOSE 8081 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/', timeout=2)"]
# SIGTERM drains running conversations (up to 30 min): give the container that grace period.
STOPSIGNAL SIGTERM
CMD ["troupe-agent", "start"]
