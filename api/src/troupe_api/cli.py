"""``troupe-api prestart | seed [--print-demo] | serve | worker | rotate-secrets``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from troupe_api.core.db import create_session_factory
from troupe_api.core.logging import configure_logging, get_logger
from troupe_api.core.settings import Settings, get_settings
from troupe_api.seed import SeedResult, seed

log = get_logger("troupe_api.cli")

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logging"] = False
    if url:
        config.attributes["url"] = url
    return config


async def wait_for_db(settings: Settings, *, delay_s: float = 1.0) -> None:
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        for attempt in range(1, settings.db_connect_retries + 1):
            try:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return
            except Exception as exc:
                log.warning("database_not_ready", attempt=attempt, error=type(exc).__name__)
                if attempt == settings.db_connect_retries:
                    raise
                await asyncio.sleep(delay_s)
    finally:
        await engine.dispose()


def migrate(url: str | None = None) -> None:
    from alembic import command

    command.upgrade(alembic_config(url), "head")


async def run_seed(settings: Settings) -> SeedResult:
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        async with create_session_factory(engine)() as db:
            return await seed(db=db, settings=settings)
    finally:
        await engine.dispose()


async def run_rotate_secrets(settings: Settings) -> int:
    """Re-encrypt every stored secret with the current TROUPE_ENCRYPTION_KEY (former keys in
    TROUPE_ENCRYPTION_KEYS_PREVIOUS must still be listed for this to read them)."""
    from troupe_api.core.crypto import SecretBox
    from troupe_api.tools.service import rotate_secrets

    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        async with create_session_factory(engine)() as db:
            count = await rotate_secrets(db=db, box=SecretBox.from_settings(settings))
            await db.commit()
            return count
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="troupe-api")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prestart", help="wait for the database, migrate to head, seed demo data")
    seed_parser = sub.add_parser("seed", help="create/update the demo data (idempotent)")
    seed_parser.add_argument(
        "--print-demo", action="store_true", help="print only the demo JSON on stdout"
    )
    serve = sub.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: TROUPE_API_PORT")
    serve.add_argument("--reload", action="store_true")
    sub.add_parser("worker", help="run the background job worker (saq on Redis)")
    sub.add_parser(
        "rotate-secrets", help="re-encrypt stored secrets with the current encryption key"
    )
    args = parser.parse_args(argv)

    settings = get_settings()
    # Logs go to stderr so stdout carries only what a command prints for scripts.
    configure_logging(settings.log_level, stream=sys.stderr)

    if args.command == "prestart":
        asyncio.run(wait_for_db(settings))
        migrate()
        if settings.is_production and not settings.demo_password:
            # Production gets demo data only when an operator asks for it with a password.
            log.info("prestart_done", seeded=False)
            return
        result = asyncio.run(run_seed(settings))
        log.info("prestart_done", embed_key=result.embed_key, template_id=result.template_id)
        print(json.dumps(result.demo_json()))
    elif args.command == "seed":
        result = asyncio.run(run_seed(settings))
        if args.print_demo:
            print(json.dumps(result.demo_json()))
        else:
            log.info("seed_done", **result.demo_json())
    elif args.command == "worker":
        from troupe_api.jobs.worker import run_worker

        asyncio.run(run_worker(settings))
    elif args.command == "rotate-secrets":
        count = asyncio.run(run_rotate_secrets(settings))
        log.info("secrets_rotated", tools=count)
    elif args.command == "serve":
        import uvicorn

        uvicorn.run(
            "troupe_api.main:app",
            host=args.host,
            port=args.port or settings.api_port,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_config=None,
            reload=args.reload,
        )


if __name__ == "__main__":
    main()
