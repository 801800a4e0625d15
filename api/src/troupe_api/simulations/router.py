"""Simulations: scenarios per session template (viewers read, members write) and their runs.

A run is queued here and executed by the agent runtime, which claims it through
``/runtime/simulation-runs/claim`` and posts the result back (see ``runtime_router``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from troupe_contracts.simulation import Scenario, SimulationClaim, SimulationMode, SimulationResult

from troupe_api.core.errors import ValidationFailed
from troupe_api.deps import DbDep, MemberOrg, RuntimeAuth, SettingsDep, ViewerOrg
from troupe_api.flows import session_variables
from troupe_api.flows.session_config import resolve_config
from troupe_api.sessions.errors import SessionConfigInvalid, SessionVariablesInvalid
from troupe_api.simulations import service
from troupe_api.simulations.errors import RunNotFound, RunNotRunning, ScenarioNotFound
from troupe_api.simulations.models import SimulationRun, SimulationScenario
from troupe_api.simulations.schemas import (
    RunCreate,
    RunDiff,
    RunList,
    RunRead,
    ScenarioList,
    ScenarioRead,
    TemplateSimulations,
)
from troupe_api.templates import service as templates
from troupe_api.templates.errors import SessionTemplateNotFound
from troupe_api.templates.models import SessionTemplate

router = APIRouter(prefix="/simulations", tags=["simulations"])
runtime_router = APIRouter(prefix="/runtime", tags=["runtime"], dependencies=[RuntimeAuth])


async def _template_of(db: DbDep, organization_id: uuid.UUID, body: Scenario) -> uuid.UUID:
    if body.template_id is None:
        raise ValidationFailed(
            "A scenario needs the template it tests.", details={"field": "template_id"}
        )
    template = await templates.get(
        db=db, organization_id=organization_id, template_id=body.template_id
    )
    if template is None:
        raise SessionTemplateNotFound()
    # the scenario's variables, checked as a session start checks them
    session_variables.resolve(session_variables.declared(template.variables), body.variables)
    return template.id


async def _scenario(
    db: DbDep, organization_id: uuid.UUID, scenario_id: uuid.UUID
) -> SimulationScenario:
    row = await service.get_scenario(
        db=db, organization_id=organization_id, scenario_id=scenario_id
    )
    if row is None:
        raise ScenarioNotFound()
    return row


@router.get("/scenarios", name="list_scenarios", response_model=ScenarioList)
async def list_scenarios(
    db: DbDep, ctx: ViewerOrg, template_id: Annotated[uuid.UUID | None, Query()] = None
) -> ScenarioList:
    """The organization's scenarios (of one template with ``template_id``), each with its
    latest run."""
    rows = await service.list_scenarios(
        db=db, organization_id=ctx.organization_id, template_id=template_id
    )
    last = await service.last_runs(db=db, scenario_ids=[r.id for r in rows])
    return ScenarioList(items=[service.scenario_read(r, last.get(r.id)) for r in rows])


@router.post(
    "/scenarios",
    name="create_scenario",
    response_model=ScenarioRead,
    status_code=status.HTTP_201_CREATED,
)
async def create_scenario(body: Scenario, db: DbDep, ctx: MemberOrg) -> ScenarioRead:
    template_id = await _template_of(db, ctx.organization_id, body)
    row = SimulationScenario(
        organization_id=ctx.organization_id,
        template_id=template_id,
        name=body.name,
        spec=service.spec_of(body, template_id),
    )
    db.add(row)
    await db.commit()
    await db.refresh(row)
    return service.scenario_read(row)


@router.get("/scenarios/{scenario_id}", name="get_scenario", response_model=ScenarioRead)
async def get_scenario(scenario_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> ScenarioRead:
    row = await _scenario(db, ctx.organization_id, scenario_id)
    last = await service.last_runs(db=db, scenario_ids=[row.id])
    return service.scenario_read(row, last.get(row.id))


@router.put("/scenarios/{scenario_id}", name="update_scenario", response_model=ScenarioRead)
async def update_scenario(
    scenario_id: uuid.UUID, body: Scenario, db: DbDep, ctx: MemberOrg
) -> ScenarioRead:
    """Replace the scenario (runs keep the version they ran)."""
    row = await _scenario(db, ctx.organization_id, scenario_id)
    template_id = await _template_of(db, ctx.organization_id, body)
    row.template_id = template_id
    row.name = body.name
    row.spec = service.spec_of(body, template_id)
    await db.commit()
    await db.refresh(row)
    return service.scenario_read(row)


@router.delete(
    "/scenarios/{scenario_id}", name="delete_scenario", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_scenario(scenario_id: uuid.UUID, db: DbDep, ctx: MemberOrg) -> Response:
    """Delete the scenario and its runs."""
    row = await _scenario(db, ctx.organization_id, scenario_id)
    await db.delete(row)
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/scenarios/{scenario_id}/runs",
    name="create_run",
    response_model=RunRead,
    status_code=status.HTTP_202_ACCEPTED,
)
async def create_run(scenario_id: uuid.UUID, body: RunCreate, db: DbDep, ctx: MemberOrg) -> RunRead:
    """Queue a run; an agent worker picks it up (``status`` goes queued → running →
    completed; poll ``GET /simulations/runs/{id}``)."""
    row = await _scenario(db, ctx.organization_id, scenario_id)
    run = await service.queue_run(db=db, scenario=row, mode=body.mode, requested_by=ctx.principal)
    await db.commit()
    await db.refresh(run)
    return service.run_read(run)


@router.get("/runs", name="list_runs", response_model=RunList)
async def list_runs(
    db: DbDep,
    ctx: ViewerOrg,
    scenario_id: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RunList:
    rows = await service.list_runs(
        db=db, organization_id=ctx.organization_id, scenario_id=scenario_id, limit=limit
    )
    return RunList(items=[service.summary(r) for r in rows])


async def _run(db: DbDep, organization_id: uuid.UUID, run_id: uuid.UUID) -> SimulationRun:
    run = await service.get_run(db=db, organization_id=organization_id, run_id=run_id)
    if run is None:
        raise RunNotFound()
    return run


@router.get("/runs/{run_id}", name="get_run", response_model=RunRead)
async def get_run(run_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> RunRead:
    """The run with its transcript, per-criterion verdicts and overall verdict."""
    return service.run_read(await _run(db, ctx.organization_id, run_id))


@router.get("/runs/{run_id}/diff", name="diff_run", response_model=RunDiff)
async def diff_run(run_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> RunDiff:
    """This run against the previous completed run of the same scenario: verdicts,
    per-criterion status changes, a unified diff of the transcripts."""
    run = await _run(db, ctx.organization_id, run_id)
    return service.diff(run, await service.previous_completed(db=db, run=run))


# ------------------------------------------------------------------ runtime (service token)


@runtime_router.post(
    "/simulation-runs/claim",
    name="claim_simulation_run",
    response_model=SimulationClaim,
    responses={204: {"description": "Nothing to run."}},
)
async def claim_run(
    db: DbDep,
    settings: SettingsDep,
    modes: Annotated[list[SimulationMode] | None, Query(alias="mode")] = None,
) -> SimulationClaim | Response:
    """Claim the oldest queued run (of the given ``mode``s; default text) with its resolved
    template config. 204 when there is none. A run claimed ``MAX_ATTEMPTS`` times without a
    result is completed with an error verdict instead of being handed out again."""
    while True:
        run = await service.claim_next(db=db, modes=modes or [SimulationMode.TEXT])
        if run is None:
            await db.commit()
            return Response(status_code=status.HTTP_204_NO_CONTENT)
        if run.attempts <= service.MAX_ATTEMPTS:
            break
        service.complete(
            run, service.error_result(run, f"no result after {service.MAX_ATTEMPTS} attempts")
        )
        await db.commit()
    scenario = Scenario.model_validate(run.scenario)
    try:
        template = await db.get(SessionTemplate, run.template_id)
        declared = session_variables.declared(template.variables if template else None)
        config = await resolve_config(
            db=db,
            settings=settings,
            organization_id=run.organization_id,
            template_id=run.template_id,
            session_id=uuid.uuid4(),
            variables=session_variables.resolve(declared, scenario.variables),
        )
    except (SessionConfigInvalid, SessionVariablesInvalid) as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        problems = [
            p.get("message", p) if isinstance(p, dict) else p
            for p in details.get("problems") or [exc.message]
        ]
        await db.commit()
        return SimulationClaim(
            run_id=run.id,
            mode=SimulationMode(run.mode),
            scenario=scenario,
            error="the template cannot run: " + "; ".join(map(str, problems)),
        )
    await db.commit()
    return SimulationClaim(
        run_id=run.id, mode=SimulationMode(run.mode), scenario=scenario, config=config
    )


@runtime_router.post(
    "/simulation-runs/{run_id}/result",
    name="post_simulation_result",
    response_model=RunRead,
)
async def post_result(run_id: uuid.UUID, body: SimulationResult, db: DbDep) -> RunRead:
    """Store a claimed run's result (once: a completed run refuses another)."""
    run = await service.get_run(db=db, organization_id=None, run_id=run_id)
    if run is None:
        raise RunNotFound()
    if run.status != "running":
        raise RunNotRunning()
    service.complete(run, body)
    await db.commit()
    await db.refresh(run)
    return service.run_read(run)


@runtime_router.get(
    "/simulation-templates/{template_id}",
    name="template_simulations",
    response_model=TemplateSimulations,
)
async def template_simulations(
    template_id: uuid.UUID, db: DbDep, settings: SettingsDep
) -> TemplateSimulations:
    """For ``troupe simulate --template``: the template's resolved config and scenarios."""
    template = await db.get(SessionTemplate, template_id)
    if template is None:
        raise SessionTemplateNotFound()
    config = await resolve_config(
        db=db,
        settings=settings,
        organization_id=template.organization_id,
        template_id=template.id,
        session_id=uuid.uuid4(),
    )
    rows = await service.list_scenarios(
        db=db, organization_id=template.organization_id, template_id=template.id
    )
    return TemplateSimulations(
        template_id=template.id,
        config=config,
        scenarios=[service.scenario_read(r) for r in rows],
    )
