import { describe, expect, it, vi } from 'vitest';
import { ApiError, apiErrorFromResponse, isApiError } from './api-error';
import { apiFetch } from './api-fetch';

function jsonResponse(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

describe('apiFetch', () => {
  it('returns the parsed body and sends JSON', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse(200, { ok: true }));
    const result = await apiFetch<{ ok: boolean }>('/api/v1/x', {
      method: 'POST',
      json: { a: 1 },
      fetchImpl,
    });
    expect(result).toEqual({ ok: true });
    const [path, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe('/api/v1/x');
    expect(init.body).toBe('{"a":1}');
    expect(new Headers(init.headers).get('content-type')).toBe('application/json');
  });

  it('turns the error envelope into a typed ApiError', async () => {
    const fetchImpl = vi.fn(async () =>
      jsonResponse(404, {
        error: { code: 'embed_not_found', message: 'Unknown embed key', details: { key: 'x' } },
      }),
    );
    const error = await apiFetch('/api/v1/sessions', { fetchImpl }).catch((e: unknown) => e);
    expect(isApiError(error)).toBe(true);
    expect(error).toMatchObject({
      status: 404,
      code: 'embed_not_found',
      message: 'Unknown embed key',
      details: { key: 'x' },
    });
    expect((error as ApiError).retryable).toBe(false);
  });

  it('maps network failures to network_error', async () => {
    const fetchImpl = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const error = await apiFetch('/api/v1/sessions', { fetchImpl }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
    expect((error as ApiError).retryable).toBe(true);
  });

  it('maps an envelope-less proxy failure to api_unavailable', async () => {
    const fetchImpl = vi.fn(async () => new Response('Internal Server Error', { status: 500 }));
    const error = await apiFetch('/api/v1/sessions', { fetchImpl }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, code: 'api_unavailable' });
  });

  it('keeps other statuses as http_<status>', () => {
    expect(apiErrorFromResponse(418, 'I am a teapot', 'nope')).toMatchObject({
      code: 'http_418',
      message: 'I am a teapot',
    });
  });
});
