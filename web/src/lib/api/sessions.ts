import type { SessionStartRequest, SessionStartResponse } from '@/contracts';
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
