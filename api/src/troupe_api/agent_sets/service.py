from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from troupe_api.agent_sets.models import AgentSet
from troupe_api.agent_sets.schemas import AgentSetGraph, AgentSetSpec, GraphEdge
from troupe_api.agents.schemas import AgentSpec


async def list_all(*, db: AsyncSession, organization_id: uuid.UUID) -> list[AgentSet]:
    rows = await db.scalars(
        select(AgentSet).where(AgentSet.organization_id == organization_id).order_by(AgentSet.name)
    )
    return list(rows)


async def get(
    *, db: AsyncSession, organization_id: uuid.UUID, set_id: uuid.UUID
) -> AgentSet | None:
    return await db.scalar(
        select(AgentSet).where(AgentSet.organization_id == organization_id, AgentSet.id == set_id)
    )


async def get_by_name(
    *, db: AsyncSession, organization_id: uuid.UUID, name: str
) -> AgentSet | None:
    return await db.scalar(
        select(AgentSet).where(AgentSet.organization_id == organization_id, AgentSet.name == name)
    )


def spec_of(agent_set: AgentSet) -> AgentSetSpec:
    return AgentSetSpec(
        name=agent_set.name,
        description=agent_set.description,
        initial_agent=agent_set.initial_agent,
        agents=list(agent_set.agent_slugs),
    )


async def save(
    *,
    db: AsyncSession,
    organization_id: uuid.UUID,
    spec: AgentSetSpec,
    agent_set: AgentSet | None = None,
) -> tuple[AgentSet, bool]:
    values = {
        "name": spec.name,
        "description": spec.description,
        "initial_agent": spec.initial_agent,
        "agent_slugs": list(spec.agents),
    }
    if agent_set is None:
        agent_set = AgentSet(organization_id=organization_id, **values)
        db.add(agent_set)
        await db.flush()
        return agent_set, True
    changed = any(getattr(agent_set, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(agent_set, key, value)
    await db.flush()
    return agent_set, changed


def graph(initial_agent: str, members: list[str], specs: dict[str, AgentSpec]) -> AgentSetGraph:
    nodes = list(dict.fromkeys(members))
    member_set = set(nodes)
    edges: list[GraphEdge] = []
    dangling: list[GraphEdge] = []
    adjacency: dict[str, list[str]] = {n: [] for n in nodes}
    for slug in nodes:
        for h in specs[slug].handoffs if slug in specs else []:
            edge = GraphEdge(
                source=slug,
                target=h.agent,
                context_policy=h.context_policy,
                description=h.description,
                last_n=h.last_n,
                variables=h.variables,
                reject_when=h.reject_when,
            )
            if h.agent in member_set:
                edges.append(edge)
                adjacency[slug].append(h.agent)
            else:
                dangling.append(edge)

    reached: set[str] = set()
    frontier = [initial_agent] if initial_agent in member_set else []
    while frontier:
        node = frontier.pop()
        if node not in reached:
            reached.add(node)
            frontier.extend(adjacency[node])

    return AgentSetGraph(
        initial_agent=initial_agent,
        nodes=nodes,
        edges=edges,
        unreachable=[n for n in nodes if n not in reached],
        cycles=_elementary_cycles(nodes, adjacency),
        has_cycles=bool(_elementary_cycles(nodes, adjacency)),
        dangling=dangling,
    )


def _elementary_cycles(nodes: list[str], adjacency: dict[str, list[str]]) -> list[list[str]]:
    """Every simple cycle once, each starting at its earliest node in ``nodes`` order and
    closed by repeating it (``["a", "b", "a"]``). Fine for the handful of agents a set has."""
    order = {n: i for i, n in enumerate(nodes)}
    cycles: list[list[str]] = []
    for start in nodes:
        # Only cycles whose smallest node is `start`, so each cycle is found exactly once.
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in adjacency[node]:
                if nxt == start:
                    cycles.append([*path, start])
                elif order[nxt] > order[start] and nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    return sorted(cycles, key=lambda c: (len(c), [order[n] for n in c]))
