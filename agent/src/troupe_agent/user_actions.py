"""Browser -> agent RPC: ``AgentMethod.USER_ACTION``. Accepted only from the session's user
(identity with ``USER_IDENTITY_PREFIX``, and the identity that said hello once one has);
anyone else gets ``forbidden``. A valid action becomes a reply from the active agent."""

import json
from collections.abc import Callable
from typing import Any, Protocol

from livekit import rtc
from pydantic import ValidationError
from troupe_contracts.rpc import AgentMethod, RpcError, RpcErrorCode, RpcResult, UserAction

from troupe_agent.browser import ClientState, is_user_identity
from troupe_agent.logging import get_logger

log = get_logger(__name__)

ActionHandler = Callable[[UserAction], None]


class RpcRegistrar(Protocol):
    def register_rpc_method(self, method_name: str, handler: Any) -> Any: ...


def _error(code: RpcErrorCode, message: str) -> str:
    return RpcResult(ok=False, error=RpcError(code=code, message=message)).model_dump_json()


class UserActions:
    def __init__(self, client: ClientState, on_action: ActionHandler) -> None:
        self._client = client
        self._on_action = on_action

    def attach(self, participant: RpcRegistrar) -> None:
        participant.register_rpc_method(AgentMethod.USER_ACTION.value, self.handle)

    async def handle(self, data: rtc.RpcInvocationData) -> str:
        caller = data.caller_identity
        expected = self._client.user_identity
        if not is_user_identity(caller) or (expected is not None and caller != expected):
            log.warning("user_action from a participant that is not the user", caller=caller)
            return _error(RpcErrorCode.FORBIDDEN, "only the session's user may call this")
        try:
            action = UserAction.model_validate_json(data.payload)
        except ValidationError as e:
            return _error(RpcErrorCode.INVALID, str(e.errors()[0]["msg"]))
        try:
            self._on_action(action)
        except Exception as e:
            log.exception("user_action failed", action=action.action)
            return _error(RpcErrorCode.FAILED, type(e).__name__)
        return RpcResult(ok=True).model_dump_json()


def action_prompt(action: UserAction) -> str:
    """Instructions for the active agent's reply to a user action."""
    where = f" in the {action.panel.value} panel" if action.panel else ""
    data = json.dumps(action.data, ensure_ascii=False)[:2000]
    return (
        f"The user clicked '{action.action}'{where} on their screen (data: {data}). "
        "Respond to it briefly."
    )
