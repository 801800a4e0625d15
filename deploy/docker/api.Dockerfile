# syntax=docker/dockerfile:1.7
# Platform API image. Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t troupe-api .
# The same image runs the migrations job: `troupe-api prestart` (wait for the DB, alembic upgrade
# head, seed only outside production unless TROUPE_DEMO_PASSWORD is set).
# --build-arg VOICE_PREVIEW=1 also installs the agent package (Piper voices, eSpeak) so the
# dashboard's voice preview (POST /catalog/voices/preview) can render local voices; without it
# that route answers 503 voice_preview_unavailable and the image stays small.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG VOICE_PREVIEW=""
RUN pip install --no-cache-dir uv==0.9.30
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first (cached until uv.lock changes), then our code.
COPY pyproject.toml uv.lock ./
COPY contracts/pyproject.toml contracts/pyproject.toml
COPY api/pyproject.toml api/pyproject.toml
COPY agent/pyproject.toml agent/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    if [ "$VOICE_PREVIEW" = 1 ]; then set -- --all-packages; else set -- --package troupe-api; fi \
 && uv sync --frozen --no-dev --no-install-workspace "$@"
COPY contracts contracts
COPY api api
COPY agent agent
RUN --mount=type=cache,target=/root/.cache/uv \
    if [ "$VOICE_PREVIEW" = 1 ]; then set -- --all-packages; else set -- --package troupe-api; fi \
 && uv sync --frozen --no-dev "$@"

FROM ${PYTHON_IMAGE} AS runtime
ARG VOICE_PREVIEW=""
RUN if [ "$VOICE_PREVIEW" = 1 ]; then apt-get update \
      && apt-get install -y --no-install-recommends espeak-ng libgomp1 \
      && rm -rf /var/lib/apt/lists/*; fi \
 && groupadd --system --gid 10001 troupe \
 && useradd --system --uid 10001 --gid troupe --home-dir /app --shell /usr/sbin/nologin troupe
WORKDIR /app
COPY --from=build --chown=troupe:troupe /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp XDG_CACHE_HOME=/tmp/cache \
    TROUPE_ENV=production TROUPE_API_PORT=8000
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/healthz', timeout=2)"]
CMD ["troupe-api", "serve", "--host", "0.0.0.0", "--port", "8000"]
