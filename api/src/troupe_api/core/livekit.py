"""Everything the API does with LiveKit, through the official ``livekit-api`` SDK: participant
tokens (with explicit agent dispatch), token verification, server API calls, webhooks."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import jwt
from livekit import api as lk
from troupe_contracts import AGENT_NAME, USER_IDENTITY_PREFIX
from troupe_contracts.session import ModalityProfile, TokenMetadata

from troupe_api.core.settings import Settings

_SOURCES: dict[ModalityProfile, list[str]] = {
    ModalityProfile.AUDIO: ["microphone"],
    ModalityProfile.AUDIO_CAMERA: ["microphone", "camera"],
    ModalityProfile.AUDIO_SCREEN: ["microphone", "screen_share", "screen_share_audio"],
    ModalityProfile.AUDIO_CAMERA_SCREEN: [
        "microphone",
        "camera",
        "screen_share",
        "screen_share_audio",
    ],
}


def new_user_identity() -> str:
    return f"{USER_IDENTITY_PREFIX}{secrets.token_hex(8)}"


@dataclass(frozen=True)
class MintedToken:
    jwt: str
    expires_at: datetime


def mint_participant_token(
    settings: Settings,
    *,
    identity: str,
    room_name: str,
    metadata: TokenMetadata,
    display_name: str | None = None,
) -> MintedToken:
    """A token that joins exactly ``room_name`` and, when the room is created by this join,
    dispatches the Troupe agent with the same metadata."""
    metadata_json = metadata.model_dump_json()
    ttl = timedelta(seconds=settings.livekit_token_ttl_s)
    # The SDK stamps exp with whole seconds from "now"; report the same instant.
    expires_at = datetime.now(UTC).replace(microsecond=0) + ttl
    token = (
        lk.AccessToken(settings.livekit_api_key, settings.livekit_api_secret)
        .with_identity(identity)
        .with_name(display_name or "")
        .with_metadata(metadata_json)
        .with_ttl(ttl)
        .with_grants(
            lk.VideoGrants(
                room_join=True,
                room=room_name,
                can_publish=True,
                can_subscribe=True,
                can_publish_data=True,
                can_publish_sources=_SOURCES[metadata.modality_profile],
            )
        )
        .with_room_config(
            lk.RoomConfiguration(
                agents=[lk.RoomAgentDispatch(agent_name=AGENT_NAME, metadata=metadata_json)]
            )
        )
    )
    return MintedToken(jwt=token.to_jwt(), expires_at=expires_at)


def verify_participant_token(
    settings: Settings, token: str, *, leeway_s: int = 0
) -> lk.access_token.Claims | None:
    """The token's claims when it was signed with our key (expiry checked with ``leeway_s``)."""
    verifier = lk.TokenVerifier(
        settings.livekit_api_key, settings.livekit_api_secret, leeway=timedelta(seconds=leeway_s)
    )
    try:
        return verifier.verify(token)
    except (jwt.PyJWTError, ValueError):
        return None


def webhook_receiver(settings: Settings) -> lk.WebhookReceiver:
    return lk.WebhookReceiver(
        lk.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret)
    )


def create_livekit_api(settings: Settings, *, timeout_s: float) -> lk.LiveKitAPI:
    """A server API client; must be created inside the running event loop and closed."""
    return lk.LiveKitAPI(
        settings.livekit_server_url,
        settings.livekit_api_key,
        settings.livekit_api_secret,
        timeout=aiohttp.ClientTimeout(total=timeout_s),
    )
