"""Imports every ORM model so ``Base.metadata`` is complete (Alembic, tests)."""

from troupe_api.agent_sets.models import AgentSet
from troupe_api.agents.models import Agent, AgentVersion
from troupe_api.analysis.models import SessionAnalysis
from troupe_api.apikeys.models import ApiKey
from troupe_api.audit.models import AuditEvent
from troupe_api.auth.models import OAuthAccount, RefreshToken
from troupe_api.core.db import Base
from troupe_api.customer_webhooks.models import WebhookDelivery, WebhookEndpoint
from troupe_api.deployments.models import Deployment
from troupe_api.invitations.models import Invitation
from troupe_api.knowledge.models import KnowledgeBase, KnowledgeChunk, KnowledgeDocument
from troupe_api.livekit_events.models import WebhookEvent
from troupe_api.organizations.models import Membership, Organization
from troupe_api.outbox.models import OutgoingEmail
from troupe_api.provider_keys.models import ProviderKey
from troupe_api.recordings.models import Recording
from troupe_api.sessions.models import Session, SessionLogEntry
from troupe_api.simulations.models import SimulationRun, SimulationScenario
from troupe_api.templates.models import SessionTemplate, TemplateShare
from troupe_api.tools.models import Tool
from troupe_api.usage.models import Price, SessionUsage, UsageAlert
from troupe_api.users.models import User

__all__ = [
    "Agent",
    "AgentSet",
    "AgentVersion",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Deployment",
    "Invitation",
    "KnowledgeBase",
    "KnowledgeChunk",
    "KnowledgeDocument",
    "Membership",
    "OAuthAccount",
    "Organization",
    "OutgoingEmail",
    "Price",
    "ProviderKey",
    "Recording",
    "RefreshToken",
    "Session",
    "SessionAnalysis",
    "SessionLogEntry",
    "SessionTemplate",
    "SessionUsage",
    "SimulationRun",
    "SimulationScenario",
    "TemplateShare",
    "Tool",
    "UsageAlert",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
