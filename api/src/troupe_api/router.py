"""All routers, mounted under /api/v1 by the app factory."""

from fastapi import APIRouter

from troupe_api.agent_sets.router import router as agent_sets_router
from troupe_api.agents.router import avatars_router
from troupe_api.agents.router import router as agents_router
from troupe_api.agents.router import starters_router as agent_templates_router
from troupe_api.analysis.router import sessions_router as analysis_router
from troupe_api.analysis.router import templates_router as template_insights_router
from troupe_api.apikeys.router import router as api_keys_router
from troupe_api.audit.router import router as audit_router
from troupe_api.auth.router import router as auth_router
from troupe_api.catalog.router import router as catalog_router
from troupe_api.catalog.voices import router as catalog_voices_router
from troupe_api.config_bundle.router import router as config_bundle_router
from troupe_api.customer_webhooks.router import router as customer_webhooks_router
from troupe_api.deployments.router import embed_router
from troupe_api.deployments.router import router as deployments_router
from troupe_api.health.router import router as health_router
from troupe_api.knowledge.router import router as knowledge_router
from troupe_api.knowledge.router import runtime_router as knowledge_runtime_router
from troupe_api.livekit_events.router import router as livekit_events_router
from troupe_api.organizations.router import router as organizations_router
from troupe_api.platform.router import router as platform_router
from troupe_api.provider_keys.router import router as provider_keys_router
from troupe_api.recordings.router import files_router
from troupe_api.recordings.router import runtime_router as recordings_runtime_router
from troupe_api.recordings.router import sessions_router as recordings_router
from troupe_api.runtime.router import router as runtime_router
from troupe_api.sessions.router import router as sessions_router
from troupe_api.simulations.router import router as simulations_router
from troupe_api.simulations.router import runtime_router as simulations_runtime_router
from troupe_api.templates.router import router as templates_router
from troupe_api.tools.router import router as tools_router
from troupe_api.usage.router import router as usage_router
from troupe_api.users.router import router as me_router

api_router = APIRouter()
api_router.include_router(health_router)
api_router.include_router(auth_router)
api_router.include_router(me_router)
api_router.include_router(organizations_router)
api_router.include_router(platform_router)
api_router.include_router(api_keys_router)
api_router.include_router(provider_keys_router)
api_router.include_router(audit_router)
api_router.include_router(catalog_router)
api_router.include_router(catalog_voices_router)
api_router.include_router(agents_router)
api_router.include_router(agent_templates_router)
api_router.include_router(avatars_router)
api_router.include_router(agent_sets_router)
api_router.include_router(tools_router)
api_router.include_router(templates_router)
api_router.include_router(template_insights_router)
api_router.include_router(knowledge_router)
api_router.include_router(config_bundle_router)
api_router.include_router(deployments_router)
api_router.include_router(embed_router)
api_router.include_router(sessions_router)
api_router.include_router(analysis_router)
api_router.include_router(recordings_router)
api_router.include_router(files_router)
api_router.include_router(customer_webhooks_router)
api_router.include_router(simulations_router)
api_router.include_router(usage_router)
api_router.include_router(runtime_router)
api_router.include_router(simulations_runtime_router)
api_router.include_router(recordings_runtime_router)
api_router.include_router(livekit_events_router)
api_router.include_router(knowledge_runtime_router)
