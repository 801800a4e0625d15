import { ConnectionError, ConnectionErrorReason, DisconnectReason } from 'livekit-client';
import { AGENT_JOIN_TIMEOUT_MS } from '@/features/session/hooks/use-agent-join-timeout';
import { isTokenExpired } from './session-store';

/**
 * Why a session could not start or stopped. The value is also the stable error code a user
 * pastes into a bug report ("copy details").
 */
export type SessionProblem =
  'token-expired' | 'network' | 'agent-unavailable' | 'connection-failed' | 'disconnected';

export interface SessionProblemCopy {
  title: string;
  /** What happened, in plain words. */
  body: string;
  /** What fixes it. */
  fix: string;
  action: string;
}

/**
 * True for a `room.connect(...)` that was cancelled on purpose (our own `disconnect()`, an
 * unmount, a newer attempt): that is not a failure and is never shown.
 */
export function isAbortedConnect(error: unknown): boolean {
  if (error instanceof ConnectionError && error.reason === ConnectionErrorReason.Cancelled) {
    return true;
  }
  if (typeof DOMException !== 'undefined' && error instanceof DOMException) {
    return error.name === 'AbortError';
  }
  // livekit-client aborts with a plain string reason that can surface as the rejection itself.
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return /abort connection attempt|client initiated disconnect/i.test(message);
}

/** Classifies a failure of `room.connect(...)`; null for an attempt that was aborted on purpose. */
export function classifyConnectError(
  error: unknown,
  tokenExpiresAt: string | undefined,
  now: Date = new Date(),
): SessionProblem | null {
  if (isAbortedConnect(error)) return null;
  if (tokenExpiresAt && isTokenExpired(tokenExpiresAt, now)) return 'token-expired';
  if (error instanceof ConnectionError) {
    if (error.reason === ConnectionErrorReason.NotAllowed) return 'token-expired';
    if (error.reason === ConnectionErrorReason.ServerUnreachable) return 'network';
    if (error.reason === ConnectionErrorReason.WebSocket) return 'network';
    if (error.status === 401 || error.status === 403) return 'token-expired';
  }
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return 'network';
  return 'connection-failed';
}

export const SESSION_PROBLEMS: Record<SessionProblem, SessionProblemCopy> = {
  'token-expired': {
    title: 'This session link has expired',
    body: 'For your privacy, session links only work for a short time.',
    fix: 'Start a new conversation to get a fresh link.',
    action: 'Start a new conversation',
  },
  network: {
    title: 'Can’t reach the conversation server',
    body: 'Your browser could not connect to the media server (LiveKit) that carries the conversation.',
    fix: 'Check your internet connection, then try again. If you run this Troupe yourself, make sure LiveKit is running and its URL is reachable from this browser (make dev starts it).',
    action: 'Try again',
  },
  'agent-unavailable': {
    title: 'The agent didn’t join',
    body: `You are connected, but no agent joined the conversation within ${AGENT_JOIN_TIMEOUT_MS / 1000} seconds.`,
    fix: 'Try again in a minute. If you run this Troupe yourself, check that the agent worker is running (make dev starts it; its log says “registered worker”).',
    action: 'Try again',
  },
  'connection-failed': {
    title: 'Couldn’t connect',
    body: 'Something went wrong while joining the conversation.',
    fix: 'Try again. If it keeps happening, copy the details below into a bug report.',
    action: 'Try again',
  },
  disconnected: {
    title: 'Disconnected',
    body: 'The conversation was disconnected.',
    fix: 'Reconnect to continue the conversation.',
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

/** What "copy details" puts on the clipboard for a bug report. */
export function problemDetails(input: {
  code: string;
  sessionId: string;
  message?: string | null;
  at?: Date;
  userAgent?: string;
}): string {
  const lines = [
    `Troupe session problem: ${input.code}`,
    `Session: ${input.sessionId}`,
    `Time: ${(input.at ?? new Date()).toISOString()}`,
    `User agent: ${input.userAgent ?? (typeof navigator === 'undefined' ? 'unknown' : navigator.userAgent)}`,
  ];
  if (input.message) lines.push(`Error: ${input.message}`);
  return lines.join('\n');
}
