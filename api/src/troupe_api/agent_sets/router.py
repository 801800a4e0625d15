"""Agent sets: which agents belong together and which starts, plus the handoff graph check."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from troupe_api.agent_sets import service
from troupe_api.agent_sets.errors import AgentSetInUse, AgentSetNotFound
from troupe_api.agent_sets.models import AgentSet
from troupe_api.agent_sets.schemas import (
    AgentSetCreate,
    AgentSetGraph,
    AgentSetList,
    AgentSetRead,
    AgentSetSpec,
    AgentSetUpdate,
)
from troupe_api.configuration import writes as config_ops
from troupe_api.configuration.rules import load_view
from troupe_api.core.config_events import publish_invalidations
from troupe_api.deps import DbDep, MemberOrg, RedisDep, ViewerOrg

router = APIRouter(prefix="/agent-sets", tags=["agent-sets"])


def read(agent_set: AgentSet) -> AgentSetRead:
    return AgentSetRead(
        **service.spec_of(agent_set).model_dump(),
        id=agent_set.id,
        organization_id=agent_set.organization_id,
        created_at=agent_set.created_at,
        updated_at=agent_set.updated_at,
    )


async def _set(db: DbDep, organization_id: uuid.UUID, set_id: uuid.UUID) -> AgentSet:
    agent_set = await service.get(db=db, organization_id=organization_id, set_id=set_id)
    if agent_set is None:
        raise AgentSetNotFound()
    return agent_set


@router.get("", name="list", response_model=AgentSetList)
async def list_sets(db: DbDep, ctx: ViewerOrg) -> AgentSetList:
    rows = await service.list_all(db=db, organization_id=ctx.organization_id)
    return AgentSetList(items=[read(s) for s in rows])


@router.post("", name="create", response_model=AgentSetRead, status_code=status.HTTP_201_CREATED)
async def create_set(body: AgentSetCreate, db: DbDep, ctx: MemberOrg) -> AgentSetRead:
    saved, _ = await config_ops.save_agent_set(
        db=db, organization_id=ctx.organization_id, spec=AgentSetSpec(**body.model_dump())
    )
    await db.commit()
    await db.refresh(saved)
    return read(saved)


@router.get("/{set_id}", name="get", response_model=AgentSetRead)
async def get_set(set_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> AgentSetRead:
    return read(await _set(db, ctx.organization_id, set_id))


@router.patch("/{set_id}", name="update", response_model=AgentSetRead)
async def update_set(
    set_id: uuid.UUID, body: AgentSetUpdate, db: DbDep, redis: RedisDep, ctx: MemberOrg
) -> AgentSetRead:
    agent_set = await _set(db, ctx.organization_id, set_id)
    spec = AgentSetSpec.model_validate(
        {**service.spec_of(agent_set).model_dump(), **body.model_dump(exclude_unset=True)}
    )
    saved, changed = await config_ops.save_agent_set(
        db=db, organization_id=ctx.organization_id, spec=spec, agent_set=agent_set
    )
    templates = await config_ops.templates_using_set(db=db, set_id=saved.id)
    await db.commit()
    await db.refresh(saved)
    if changed:
        await publish_invalidations(redis, [t.id for t in templates])
    return read(saved)


@router.delete("/{set_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_set(set_id: uuid.UUID, db: DbDep, ctx: MemberOrg) -> Response:
    agent_set = await _set(db, ctx.organization_id, set_id)
    templates = await config_ops.templates_using_set(db=db, set_id=agent_set.id)
    if templates:
        raise AgentSetInUse(details={"templates": [t.name for t in templates]})
    await db.delete(agent_set)
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{set_id}/graph", name="graph", response_model=AgentSetGraph)
async def set_graph(set_id: uuid.UUID, db: DbDep, ctx: ViewerOrg) -> AgentSetGraph:
    """Handoff graph: agents unreachable from the initial agent, cycles (allowed, flagged)
    and handoffs that leave the set."""
    agent_set = await _set(db, ctx.organization_id, set_id)
    view = await load_view(db=db, organization_id=ctx.organization_id)
    return service.graph(agent_set.initial_agent, list(agent_set.agent_slugs), view.agents)
