import { ParticipantKind, type Room } from 'livekit-client';
import {
  AGENT_IDENTITY_PREFIX,
  type AgentMethod,
  type RpcResult,
  type UserAction,
} from '@/contracts';
import { parseRpcResult, rpcError } from './rpc-result';

const USER_ACTION: AgentMethod = 'troupe.user_action';
export const USER_ACTION_TIMEOUT_MS = 10_000;

export function findAgentIdentity(room: Pick<Room, 'remoteParticipants'>): string | null {
  for (const participant of room.remoteParticipants.values()) {
    if (
      participant.kind === ParticipantKind.AGENT &&
      participant.identity.startsWith(AGENT_IDENTITY_PREFIX)
    ) {
      return participant.identity;
    }
  }
  return null;
}

/** Calls the agent's `troupe.user_action`; never throws (errors come back as RpcResult). */
export async function callUserAction(
  room: Pick<Room, 'remoteParticipants' | 'localParticipant'>,
  action: UserAction,
  timeoutMs: number = USER_ACTION_TIMEOUT_MS,
): Promise<RpcResult> {
  const destination = findAgentIdentity(room);
  if (!destination) return rpcError('unsupported', 'No agent is in the room');
  try {
    const raw = await room.localParticipant.performRpc({
      destinationIdentity: destination,
      method: USER_ACTION,
      payload: JSON.stringify(action),
      responseTimeout: timeoutMs,
    });
    return parseRpcResult(raw);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // livekit-client's RpcError codes 1502 (response timeout) / 1501 (connection timeout).
    const code = (error as { code?: number }).code;
    if (code === 1501 || code === 1502) return rpcError('timeout', message);
    if (code === 1400) return rpcError('unsupported', message);
    return rpcError('failed', message);
  }
}
