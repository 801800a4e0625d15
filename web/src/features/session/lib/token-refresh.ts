import type { Room } from 'livekit-client';

/** How long before the participant token expires the session page asks for a new one. */
export const TOKEN_REFRESH_BEFORE_MS = 60_000;
/** After a failed refresh (network, 5xx), the next try waits this long. */
export const TOKEN_REFRESH_RETRY_MS = 15_000;

/** Milliseconds from `now` until the token at `expiresAt` should be refreshed (0: now). */
export function tokenRefreshDelayMs(expiresAt: string, now: number = Date.now()): number | null {
  const expires = Date.parse(expiresAt);
  if (!Number.isFinite(expires)) return null;
  return Math.max(0, expires - now - TOKEN_REFRESH_BEFORE_MS);
}

/**
 * Makes `room` use `token` from now on. livekit-client keeps the join token on the room's engine
 * and presents it again when it resumes or rejoins after a network drop; it has no public
 * setter (the server's own token refreshes go to the same field), so this sets that field. A
 * room that was never connected has no engine yet; its `connect()` gets the token instead.
 */
export function applyParticipantToken(room: Room, token: string): boolean {
  const engine = (room as { engine?: unknown }).engine as { token?: string } | undefined;
  if (!engine) return false;
  engine.token = token;
  return true;
}
