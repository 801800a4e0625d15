"""Executes dashboard-triggered runs: claims queued runs from the API and posts the results.

Where it runs: inside the agent worker's main process (started on ``worker_started``, so
every worker also serves simulations), or on its own with ``troupe simulate --serve``.
Why a claim endpoint and not a job queue: the run row in Postgres *is* the queue (the API
claims with ``FOR UPDATE SKIP LOCKED`` and a lease, so any number of claimers share it and a
crashed one's run is claimed again), and the runtime keeps talking to the API only through its
service-token endpoints, as it does for session configs and logs. Polling is one cheap request
every ``poll_s`` per worker."""

import asyncio
import contextlib
from typing import Any

from troupe_contracts.simulation import SimulationMode, SimulationResult, SimulationVerdict

from troupe_agent.logging import get_logger
from troupe_agent.providers import ProviderRegistry
from troupe_agent.settings import Settings
from troupe_agent.simulation.api import SimulationApi
from troupe_agent.simulation.execute import execute, registry_for

log = get_logger(__name__)

POLL_S = 2.0
ERROR_BACKOFF_S = 10.0


class SimulationClaimer:
    def __init__(
        self,
        settings: Settings,
        *,
        api: SimulationApi | None = None,
        registry: ProviderRegistry | None = None,
        modes: list[SimulationMode] | None = None,
        poll_s: float = POLL_S,
        audio: Any | None = None,
    ) -> None:
        self._api = api or SimulationApi(settings, max_attempts=2)
        self._registry = registry
        self._settings = settings
        self._modes = modes or [SimulationMode.TEXT]
        self._poll_s = poll_s
        self._audio = audio
        self.completed = 0

    async def run_once(self) -> bool:
        """Claim and run one run; False when nothing was queued."""
        claim = await self._api.claim(self._modes)
        if claim is None:
            return False
        log.info("simulation claimed", run_id=str(claim.run_id), scenario=claim.scenario.name)
        if claim.config is None:
            result = SimulationResult(
                scenario=claim.scenario.name,
                mode=claim.mode,
                verdict=SimulationVerdict.ERROR,
                error=claim.error or "the template has no runnable config",
                duration_ms=0.0,
            )
        else:
            if self._registry is None:
                self._registry = registry_for(self._settings)
            result = await execute(
                claim.scenario,
                claim.config,
                mode=claim.mode,
                registry=self._registry,
                audio=self._audio,
            )
        await self._api.post_result(claim.run_id, result)
        self.completed += 1
        log.info(
            "simulation finished",
            run_id=str(claim.run_id),
            verdict=result.verdict.value,
            duration_ms=result.duration_ms,
        )
        return True

    async def run_forever(self) -> None:
        while True:
            try:
                if await self.run_once():
                    continue
                await asyncio.sleep(self._poll_s)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("simulation claimer failed; retrying")
                await asyncio.sleep(ERROR_BACKOFF_S)

    async def aclose(self) -> None:
        await self._api.aclose()


class WorkerClaimer:
    """Holds the claimer task of a worker process (started once the worker runs)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.task: asyncio.Task[None] | None = None
        self._claimer: SimulationClaimer | None = None

    def start(self) -> None:
        if self.task is not None or not self._settings.troupe_runtime_token.get_secret_value():
            return
        self._claimer = SimulationClaimer(self._settings)
        self.task = asyncio.get_running_loop().create_task(
            self._claimer.run_forever(), name="troupe-simulation-claimer"
        )

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self._claimer is not None:
            await self._claimer.aclose()
