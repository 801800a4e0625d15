from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from troupe_contracts.config import ContextPolicy, HandoffVariable, RejectionRule, Slug


class AgentSetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    initial_agent: Slug
    agents: list[Slug] = Field(description="Member agent slugs.")


class AgentSetCreate(AgentSetSpec):
    pass


class AgentSetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    initial_agent: Slug | None = None
    agents: list[Slug] | None = None


class AgentSetRead(AgentSetSpec):
    id: uuid.UUID
    organization_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class AgentSetList(BaseModel):
    items: list[AgentSetRead]


class GraphEdge(BaseModel):
    source: str
    target: str
    context_policy: ContextPolicy
    description: str
    last_n: int | None = Field(default=None, description="Messages passed by a ``last_n`` plan.")
    variables: list[HandoffVariable] = Field(default_factory=list)
    reject_when: RejectionRule | None = None


class AgentSetGraph(BaseModel):
    """The handoff graph of a set. ``unreachable``: members no chain of handoffs from the
    initial agent reaches. ``cycles``: each elementary cycle once (allowed; flagged so a
    designer sees ping-pong paths). ``dangling``: handoffs leaving the set."""

    initial_agent: str
    nodes: list[str]
    edges: list[GraphEdge]
    unreachable: list[str]
    cycles: list[list[str]]
    has_cycles: bool
    dangling: list[GraphEdge]
