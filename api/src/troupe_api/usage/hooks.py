"""The built-in webhook consumer: a finished room finalises the session's usage and cost,
then checks the organization's usage alerts."""

from __future__ import annotations

from troupe_api.livekit_events import hooks
from troupe_api.organizations.models import Organization
from troupe_api.usage import service


@hooks.on("room_finished")
async def finalize_usage_on_room_finished(applied: hooks.AppliedEvent) -> None:
    if applied.session is None:
        return
    await service.finalize_session_usage(db=applied.db, session=applied.session)
    org = await applied.db.get(Organization, applied.session.organization_id)
    if org is not None:
        await service.evaluate_alerts(db=applied.db, org=org)
