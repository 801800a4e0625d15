import { ConnectionError, ConnectionErrorReason, DisconnectReason } from 'livekit-client';
import { isTokenExpired } from './session-store';

export type SessionProblem =
  'token-expired' | 'network' | 'agent-unavailable' | 'connection-failed' | 'disconnected';

export interface SessionProblemCopy {
  title: string;
  body: string;
  action: string;
}

/** Classifies a failure of `room.connect(...)`. */
export function classifyConnectError(
  error: unknown,
  tokenExpiresAt: string | undefined,
  now: Date = new Date(),
): SessionProblem {
  if (tokenExpiresAt && isTokenExpired(tokenExpiresAt, now)) return 'token-expired';
  if (error instanceof ConnectionError) {
    if (error.reason === ConnectionErrorReason.NotAllowed) return 'token-expired';
    if (error.reason === ConnectionErrorReason.ServerUnreachable) return 'network';
    if (error.status === 401 || error.status === 403) return 'token-expired';
  }
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return 'network';
  return 'connection-failed';
}

export const SESSION_PROBLEMS: Record<SessionProblem, SessionProblemCopy> = {
  'token-expired': {
    title: 'This session link has expired',
    body: 'For your privacy, session links only work for a short time.',
    action: 'Start a new conversation',
  },
  network: {
    title: 'Connection lost',
    body: 'We couldn’t reach the conversation server. Check your internet connection.',
    action: 'Try again',
  },
  'agent-unavailable': {
    title: 'Agent unavailable',
    body: 'The agent didn’t join the conversation. It may be busy or restarting.',
    action: 'Try again',
  },
  'connection-failed': {
    title: 'Couldn’t connect',
    body: 'Something went wrong while joining the conversation.',
    action: 'Try again',
  },
  disconnected: {
    title: 'Disconnected',
    body: 'The conversation was disconnected.',
    action: 'Reconnect',
  },
};

export type DisconnectOutcome = 'ignore' | 'ended' | SessionProblem;

/**
 * What the UI does after the room disconnects on its own (not through our end button).
 * The server closing the room means the session is over; everything else is a problem to show.
 */
export function classifyDisconnect(reason: DisconnectReason | undefined): DisconnectOutcome {
  switch (reason) {
    case DisconnectReason.CLIENT_INITIATED:
      return 'ignore';
    case DisconnectReason.ROOM_DELETED:
    case DisconnectReason.ROOM_CLOSED:
    case DisconnectReason.PARTICIPANT_REMOVED:
    case DisconnectReason.SERVER_SHUTDOWN:
      return 'ended';
    case DisconnectReason.JOIN_FAILURE:
    case DisconnectReason.SIGNAL_CLOSE:
    case DisconnectReason.CONNECTION_TIMEOUT:
    case DisconnectReason.MEDIA_FAILURE:
      return 'network';
    default:
      return 'disconnected';
  }
}
