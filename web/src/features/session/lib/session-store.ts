import type { SessionStartResponse } from '@/contracts';

/** What the session page needs after the start page navigated to it. */
export interface StoredSession {
  response: SessionStartResponse;
  /** The embed key it was started from, so "try again" can start a fresh session. */
  embedKey?: string;
  storedAt: string;
}

const KEY_PREFIX = 'troupe.session.';

export function sessionStorageKey(sessionId: string): string {
  return `${KEY_PREFIX}${sessionId}`;
}

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.sessionStorage;
  } catch {
    return undefined; // Storage can throw when blocked (e.g. third-party iframe settings).
  }
}

export function saveSession(
  response: SessionStartResponse,
  extras: { embedKey?: string } = {},
  store: Storage | undefined = storage(),
): void {
  const value: StoredSession = { response, storedAt: new Date().toISOString(), ...extras };
  store?.setItem(sessionStorageKey(response.connection.session_id), JSON.stringify(value));
}

function isStoredSession(value: unknown, sessionId: string): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const response = (value as { response?: Partial<SessionStartResponse> }).response;
  const connection = response?.connection;
  return (
    typeof connection === 'object' &&
    connection !== null &&
    connection.session_id === sessionId &&
    typeof connection.participant_token === 'string' &&
    typeof connection.livekit_url === 'string'
  );
}

export function loadSession(
  sessionId: string,
  store: Storage | undefined = storage(),
): StoredSession | null {
  const raw = store?.getItem(sessionStorageKey(sessionId));
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isStoredSession(parsed, sessionId) ? parsed : null;
  } catch {
    return null;
  }
}

export function clearSession(sessionId: string, store: Storage | undefined = storage()): void {
  store?.removeItem(sessionStorageKey(sessionId));
}

/** True when the participant token can no longer be used to join. */
export function isTokenExpired(tokenExpiresAt: string, now: Date = new Date()): boolean {
  const expires = Date.parse(tokenExpiresAt);
  return Number.isFinite(expires) && expires <= now.getTime();
}
