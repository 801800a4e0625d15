import { ApiError, CLIENT_ERROR_CODES, apiErrorFromResponse } from './api-error';

export interface ApiFetchOptions extends Omit<RequestInit, 'body'> {
  /** Serialised as JSON when present. */
  json?: unknown;
  fetchImpl?: typeof fetch;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Same-origin request to the Platform API (`/api/v1/...`, proxied by Next.js).
 * Resolves with the parsed JSON body; rejects with an {@link ApiError} for every failure.
 */
export async function apiFetch<T>(path: string, options: ApiFetchOptions = {}): Promise<T> {
  const { json, fetchImpl = fetch, headers, ...init } = options;
  const requestHeaders = new Headers(headers);
  requestHeaders.set('accept', 'application/json');
  if (json !== undefined) requestHeaders.set('content-type', 'application/json');

  let response: Response;
  try {
    response = await fetchImpl(path, {
      credentials: 'same-origin',
      ...init,
      headers: requestHeaders,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(
      0,
      CLIENT_ERROR_CODES.network,
      'Could not reach Troupe. Check your internet connection and try again.',
      cause instanceof Error ? cause.message : cause,
    );
  }

  const body = await readBody(response);
  if (!response.ok) throw apiErrorFromResponse(response.status, response.statusText, body);
  if (response.status !== 204 && body !== undefined && typeof body === 'string') {
    throw new ApiError(
      response.status,
      CLIENT_ERROR_CODES.invalidResponse,
      'Unexpected response from Troupe.',
      body,
    );
  }
  return body as T;
}
