# Thin entry points; the work is in scripts/. See README.md.
.PHONY: dev test coverage install install-local-llm services-up services-down lint format contracts api-types rooms backup restore bench audit

dev:                ## run the whole platform locally (installs what is missing)
	scripts/dev.sh

test:               ## run every test suite against throw-away services
	scripts/test.sh

coverage:           ## unit suites with coverage (Python + web); totals in coverage/summary.txt
	scripts/coverage.sh

install:            ## install system packages, Python and npm deps, livekit-server
	scripts/install.sh

install-local-llm:  ## also build the offline LLM runtime (llama-cpp-python)
	scripts/install.sh --local-llm

services-up:        ## start Postgres, Redis, LiveKit for development
	scripts/env.sh dev && scripts/services.sh up

services-down:
	scripts/services.sh down

lint:               ## ruff + mypy on Python, eslint + typecheck on web
	uv run --frozen ruff check . && uv run --frozen ruff format --check .
	uv run --frozen mypy contracts/src api/src agent/src
	cd web && npm run lint && npm run typecheck

format:
	uv run --frozen ruff format . && uv run --frozen ruff check --fix .
	cd web && npx prettier --write .

contracts:          ## regenerate JSON Schema + TypeScript types from contracts/
	uv run --frozen python -m troupe_contracts.export web/src/contracts/schema.json
	cd web && npm run gen:contracts

api-types:          ## regenerate web/src/lib/api/schema.d.ts from the API's OpenAPI document
	mkdir -p .run && uv run --frozen python -c "import json; from troupe_api.core.settings import Settings; from troupe_api.main import create_app; print(json.dumps(create_app(Settings()).openapi()))" > .run/openapi.json
	cd web && TROUPE_OPENAPI_FILE=../.run/openapi.json npm run gen:api

rooms:              ## list LiveKit rooms and participants of the dev server
	scripts/rooms.sh

backup:             ## pg_dump the dev database to backups/troupe-<time>.dump
	scripts/db.sh backup

restore:            ## restore the dev database: make restore FILE=backups/x.dump
	scripts/db.sh restore $(FILE)

bench:              ## run the benchmarks in bench/
	scripts/bench.sh

audit:              ## lock files vs an OSV vulnerability snapshot, offline (docs/security.md)
	scripts/audit.sh
