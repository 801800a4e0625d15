"""``troupe-api prestart | seed [--print-demo] | serve | worker | rotate-secrets |
org list [--json] | org set-plan <org-slug> <plan> [--trial-days N]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
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


async def run_rotate_secrets(settings: Settings) -> dict[str, int]:
    """Re-encrypt every encrypted column (``core.crypto.encrypted_column``) with the current
    TROUPE_ENCRYPTION_KEY; former keys in TROUPE_ENCRYPTION_KEYS_PREVIOUS must still be listed
    for this to read them. All or nothing: one commit. Per column, the values rewritten."""
    from troupe_api.core.crypto import SecretBox, rotate_all
    from troupe_api.models import Base

    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        async with create_session_factory(engine)() as db:
            counts = await rotate_all(
                db=db, box=SecretBox.from_settings(settings), metadata=Base.metadata
            )
            await db.commit()
            return counts
    finally:
        await engine.dispose()


async def org_command(db: AsyncSession, settings: Settings, args: argparse.Namespace) -> str:
    """``org list`` and ``org set-plan``: the platform operator's plan and trial controls (the
    same as the /platform/organizations routes). Returns what to print."""
    from troupe_api.platform import service as platform

    if args.org_command == "set-plan":
        row = await platform.change_plan(
            db=db,
            slug=args.slug,
            plan=args.plan,
            trial_days=args.trial_days,
            default_trial_days=settings.trial_days,
            actor_user_id=None,
        )
        rows = [row]
    else:
        rows = await platform.list_organizations(db=db)
    if getattr(args, "json", False) or args.org_command == "set-plan":
        return "\n".join(json.dumps(_org_json(r)) for r in rows)
    lines = [f"{'SLUG':<40} {'PLAN':<10} {'TRIAL ENDS':<25} {'MEMBERS':>7}  NAME"]
    for r in rows:
        ends = r.trial_ends_at.isoformat(timespec="seconds") if r.trial_ends_at else "-"
        if r.trial_expired:
            ends += " (expired)"
        lines.append(f"{r.slug:<40} {r.plan:<10} {ends:<25} {r.members:>7}  {r.name}")
    return "\n".join(lines)


def _org_json(row: Any) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "name": row.name,
        "plan": row.plan,
        "trial_ends_at": row.trial_ends_at.isoformat() if row.trial_ends_at else None,
        "trial_expired": row.trial_expired,
        "members": row.members,
    }


async def run_org_command(settings: Settings, args: argparse.Namespace) -> str:
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        async with create_session_factory(engine)() as db:
            out = await org_command(db, settings, args)
            await db.commit()
            return out
    finally:
        await engine.dispose()


def add_org_parser(sub: Any) -> None:
    org = sub.add_parser("org", help="platform operator: list organizations, set plan and trial")
    org_sub = org.add_subparsers(dest="org_command", required=True)
    listing = org_sub.add_parser("list", help="every organization with its plan and trial")
    listing.add_argument("--json", action="store_true", help="one JSON object a line")
    set_plan = org_sub.add_parser("set-plan", help="put an organization on a plan")
    set_plan.add_argument("slug", help="the organization's slug (see org list)")
    set_plan.add_argument("plan", help="free, trial, pro or enterprise")
    set_plan.add_argument(
        "--trial-days",
        type=int,
        default=None,
        help="trial plan only: days from now until it ends (default TROUPE_TRIAL_DAYS)",
    )


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
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="uvicorn worker processes (default: TROUPE_API_WORKERS, else 1; a container runs "
        "one and scales by replicas)",
    )
    sub.add_parser("worker", help="run the background job worker (saq on Redis)")
    sub.add_parser(
        "rotate-secrets", help="re-encrypt stored secrets with the current encryption key"
    )
    add_org_parser(sub)
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
        counts = asyncio.run(run_rotate_secrets(settings))
        log.info("secrets_rotated", columns=counts)
    elif args.command == "org":
        from troupe_api.core.errors import TroupeError

        try:
            print(asyncio.run(run_org_command(settings, args)))
        except TroupeError as exc:
            print(
                json.dumps({"error": {"code": exc.code, "message": exc.message}}), file=sys.stderr
            )
            sys.exit(1)
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
            workers=None if args.reload else api_workers(args.workers),
        )


def api_workers(given: int | None) -> int:
    """``serve``'s uvicorn worker processes: ``--workers``, else ``TROUPE_API_WORKERS``, else 1."""
    if given is not None:
        return max(1, given)
    return max(1, int(os.environ.get("TROUPE_API_WORKERS") or 1))


if __name__ == "__main__":
    main()
