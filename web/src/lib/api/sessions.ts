import type {
  SessionConnection,
  SessionRead,
  SessionStartRequest,
  SessionStartResponse,
} from '@/contracts';
import { apiFetch, type ApiFetchOptions } from './api-fetch';

export const SESSIONS_PATH = '/api/v1/sessions';

export function startSession(
  request: SessionStartRequest,
  options: Omit<ApiFetchOptions, 'json' | 'method'> = {},
): Promise<SessionStartResponse> {
  return apiFetch<SessionStartResponse>(SESSIONS_PATH, {
    ...options,
    method: 'POST',
    json: request,
  });
}

/**
 * A fresh participant token for the same identity and room (`POST /sessions/{id}/token`, with
 * the current participant token as bearer). Refused with `session_ended` once the session is over.
 */
export function refreshSessionToken(
  sessionId: string,
  participantToken: string,
  options: Omit<ApiFetchOptions, 'json' | 'method'> = {},
): Promise<SessionConnection> {
  return apiFetch<SessionConnection>(`${SESSIONS_PATH}/${encodeURIComponent(sessionId)}/token`, {
    ...options,
    method: 'POST',
    headers: { ...options.headers, authorization: `Bearer ${participantToken}` },
  });
}

/**
 * The session's status (`GET /sessions/{id}`, with the participant token as bearer): once it
 * is over, `close_reason` says why (`null` while it is open).
 */
export function readSession(
  sessionId: string,
  participantToken: string,
  options: Omit<ApiFetchOptions, 'json' | 'method'> = {},
): Promise<SessionRead> {
  return apiFetch<SessionRead>(`${SESSIONS_PATH}/${encodeURIComponent(sessionId)}`, {
    ...options,
    headers: { ...options.headers, authorization: `Bearer ${participantToken}` },
  });
}
