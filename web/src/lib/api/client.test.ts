import { describe, expect, it, vi } from 'vitest';
import { api, buildPath, fieldProblems, readCookie, setSelectedOrg } from './client';
import { ApiError } from './api-error';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('dashboard api client', () => {
  it('sends CSRF on unsafe methods and the selected org', async () => {
    document.cookie = 'troupe_csrf=abc123; path=/';
    setSelectedOrg('org-1');
    const fetchImpl = vi.fn(async () => json(200, { ok: true }));
    await api('/agents', { method: 'POST', json: {}, fetchImpl });
    const headers = new Headers(
      (fetchImpl.mock.calls[0] as unknown as [string, RequestInit])[1].headers,
    );
    expect((fetchImpl.mock.calls[0] as unknown as [string])[0]).toBe('/api/v1/agents');
    expect(headers.get('X-Troupe-CSRF')).toBe('abc123');
    expect(headers.get('X-Troupe-Org')).toBe('org-1');
    await api('/agents', { fetchImpl });
    const get = new Headers(
      (fetchImpl.mock.calls[1] as unknown as [string, RequestInit])[1].headers,
    );
    expect(get.get('X-Troupe-CSRF')).toBeNull();
    setSelectedOrg(null);
  });

  it('refreshes once on token_expired and retries', async () => {
    document.cookie = 'troupe_csrf=tok; path=/';
    const expired = () => json(401, { error: { code: 'token_expired', message: 'expired' } });
    const fetchImpl = vi
      .fn()
      .mockImplementationOnce(async () => expired())
      .mockImplementationOnce(async () => json(200, { user: {} }))
      .mockImplementationOnce(async () => json(200, { items: [] }));
    await expect(api('/agents', { fetchImpl })).resolves.toEqual({ items: [] });
    const refresh = fetchImpl.mock.calls[1] as [string, RequestInit];
    expect(refresh[0]).toBe('/api/v1/auth/refresh');
    expect(new Headers(refresh[1].headers).get('X-Troupe-CSRF')).toBe('tok');
  });

  it('gives up when the refresh fails', async () => {
    const fetchImpl = vi
      .fn()
      .mockImplementationOnce(async () =>
        json(401, { error: { code: 'token_expired', message: 'x' } }),
      )
      .mockImplementationOnce(async () =>
        json(401, { error: { code: 'token_revoked', message: 'x' } }),
      );
    await new Promise((r) => setTimeout(r, 0));
    await expect(api('/agents', { fetchImpl })).rejects.toMatchObject({ code: 'token_expired' });
    expect(fetchImpl).toHaveBeenCalledTimes(2);
  });

  it('maps config_invalid problems and validation fields', () => {
    const problems = new ApiError(422, 'config_invalid', 'bad', {
      problems: [
        { code: 'provider_unknown', field: 'llm', message: 'Unknown LLM.' },
        { code: 'handoff_self', field: 'handoffs.0.agent', message: 'Self.' },
      ],
    });
    expect(fieldProblems(problems)).toEqual({ llm: 'Unknown LLM.', 'handoffs.0.agent': 'Self.' });
    const validation = new ApiError(422, 'validation_error', 'bad', {
      fields: [{ loc: ['body', 'slug'], message: 'bad slug', type: 'x' }],
    });
    expect(fieldProblems(validation)).toEqual({ slug: 'bad slug' });
  });

  it('reads cookies and builds queries', () => {
    expect(readCookie('b', 'a=1; b=x%20y')).toBe('x y');
    expect(
      buildPath('/api/v1/usage', { since: 'S', group_by: 'day', empty: '', none: undefined }),
    ).toBe('/api/v1/usage?since=S&group_by=day');
  });
});
