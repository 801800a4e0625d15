"""Recording errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import BadRequest, Forbidden, NotFound, TroupeError


class RecordingNotFound(NotFound):
    code = "recording_not_found"
    default_message = "Recording not found."


class RecordingTooLarge(TroupeError):
    status_code = 413
    code = "recording_too_large"
    default_message = "The recording file is too large."


class RecordingInvalid(BadRequest):
    code = "recording_invalid"
    default_message = "The upload is not an Ogg/Opus recording."


class DownloadLinkInvalid(Forbidden):
    code = "download_link_invalid"
    default_message = "The download link is invalid or has expired."
