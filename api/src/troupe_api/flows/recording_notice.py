"""What the end user's page is told about recording, from a template (environment applied)."""

from __future__ import annotations

from troupe_contracts.session import RecordingNotice

from troupe_api.configuration import writes as config_ops
from troupe_api.recordings.schemas import consent_text
from troupe_api.templates.models import SessionTemplate


def recording_notice(template: SessionTemplate, environment: str | None) -> RecordingNotice:
    if not config_ops.effective(template, environment).record_audio:
        return RecordingNotice()
    return RecordingNotice(enabled=True, consent_text=consent_text(template.recording_consent_text))
