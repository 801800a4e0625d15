"""``troupe simulate``: run scenario tests of agent configurations from a terminal or CI.

    troupe simulate FILE [FILE ...]        scenario files (YAML or JSON)
    troupe simulate --template ID          every scenario of a template, from the API
    troupe simulate --serve                claim and run dashboard-queued runs until stopped

A scenario file is a ``Scenario`` (see ``troupe_contracts.simulation``); its agents come from
an inline ``config`` (a resolved ``SessionConfig``) or from the API by ``template_id`` (or
``--template``), read with the runtime token (``TROUPE_API_URL``, ``TROUPE_RUNTIME_TOKEN``).
Audio mode also needs an API key with ``sessions:write`` (``--api-key`` or
``TROUPE_API_KEY``) to start real sessions. Exit status: 0 when every scenario passed, 1 when
one failed or could not run, 2 on a usage error."""

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from pydantic import ValidationError
from troupe_contracts.config import SessionConfig
from troupe_contracts.simulation import (
    Scenario,
    ScenarioFile,
    SimulationMode,
    SimulationResult,
    SimulationVerdict,
)

from troupe_agent.local_models import force_offline
from troupe_agent.logging import configure_logging
from troupe_agent.settings import get_settings
from troupe_agent.simulation.api import SimulationApi
from troupe_agent.simulation.execute import execute, registry_for
from troupe_agent.simulation.junit import write_junit
from troupe_agent.simulation.report import summary_text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def load_scenario_file(path: Path) -> ScenarioFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror}") from e
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise UsageError(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {e}"
        ) from e
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or 'scenario'}: {err['msg']}" for err in e.errors()
        )
        raise UsageError(f"{path}: invalid scenario: {problems}") from e


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="troupe", description="Troupe command-line tools.")
    sub = p.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="run scenario tests of agent configurations")
    sim.add_argument("files", nargs="*", type=Path, help="scenario files (YAML or JSON)")
    sim.add_argument(
        "--template",
        type=UUID,
        help="the template under test (all its scenarios when no file is given)",
    )
    sim.add_argument("--mode", choices=[m.value for m in SimulationMode], default="text")
    sim.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    sim.add_argument("--serve", action="store_true", help="claim and run queued runs until stopped")
    sim.add_argument(
        "--api-key",
        default=os.environ.get("TROUPE_API_KEY"),
        help="audio mode: an API key with sessions:write (default $TROUPE_API_KEY)",
    )
    sim.add_argument("--quiet", action="store_true", help="no per-turn progress")
    return p


def _say(line: str) -> None:
    print(line, flush=True)


async def _jobs(
    args: argparse.Namespace, api: SimulationApi | None
) -> list[tuple[Scenario, SessionConfig]]:
    jobs: list[tuple[Scenario, SessionConfig]] = []
    templates: dict[UUID, Any] = {}

    async def template(template_id: UUID) -> Any:
        if api is None:
            raise UsageError("reading a template needs TROUPE_RUNTIME_TOKEN (and TROUPE_API_URL)")
        if template_id not in templates:
            templates[template_id] = await api.template(template_id)
        return templates[template_id]

    for path in args.files:
        scenario = load_scenario_file(path)
        config = scenario.config
        template_id = args.template or scenario.template_id
        if config is None:
            if template_id is None:
                raise UsageError(f"{path}: no inline config and no template_id (or --template)")
            config = (await template(template_id)).config
        plain = scenario.model_dump(exclude={"config"})
        jobs.append((Scenario.model_validate({**plain, "template_id": template_id}), config))
    if not args.files:
        if args.template is None:
            raise UsageError("give scenario files, --template ID or --serve")
        found = await template(args.template)
        if not found.scenarios:
            raise UsageError(f"template {args.template} has no scenarios")
        jobs += [(s.scenario, found.config) for s in found.scenarios]
    return jobs


async def simulate(args: argparse.Namespace) -> int:
    settings = get_settings()
    api = SimulationApi(settings) if settings.troupe_runtime_token.get_secret_value() else None
    mode = SimulationMode(args.mode)
    audio = None
    try:
        if mode == SimulationMode.AUDIO:
            from troupe_agent.simulation.audio import SessionStarter

            if not args.api_key:
                raise UsageError("audio mode needs --api-key or TROUPE_API_KEY (sessions:write)")
            audio = SessionStarter(settings.troupe_api_url, args.api_key)
        if args.serve:
            from troupe_agent.simulation.claimer import SimulationClaimer

            if api is None:
                raise UsageError("--serve needs TROUPE_RUNTIME_TOKEN (and TROUPE_API_URL)")
            _say(f"serving {mode.value} simulation runs from {settings.troupe_api_url}")
            await SimulationClaimer(settings, api=api, modes=[mode], audio=audio).run_forever()
            return EXIT_OK
        jobs = await _jobs(args, api)
        registry = registry_for(settings)
        results: list[SimulationResult] = []
        for n, (scenario, config) in enumerate(jobs, 1):
            _say(f"[{n}/{len(jobs)}] {scenario.name} ({mode.value})")
            result = await execute(
                scenario,
                config,
                mode=mode,
                registry=registry,
                progress=None if args.quiet else _say,
                audio=audio,
            )
            results.append(result)
            _say(summary_text(result))
        passed = sum(r.verdict == SimulationVerdict.PASSED for r in results)
        _say(f"\n{passed}/{len(results)} scenarios passed")
        if args.junit:
            write_junit(args.junit, results)
            _say(f"JUnit report: {args.junit}")
        return EXIT_OK if passed == len(results) else EXIT_FAILED
    finally:
        if api is not None:
            await api.aclose()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging()
    force_offline()
    try:
        return asyncio.run(simulate(args))
    except UsageError as e:
        print(f"troupe simulate: {e}", file=sys.stderr)
        return EXIT_USAGE


def run() -> None:
    sys.exit(main())
