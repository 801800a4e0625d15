import { describe, expect, it } from 'vitest';
import { allowedOriginsOf, requestIdOf } from './proxy';

describe('proxy request ids', () => {
  it('keep a well-formed incoming id so web and API log lines match', () => {
    expect(requestIdOf(new Headers({ 'x-request-id': 'abc-123' }))).toBe('abc-123');
  });

  it('replace a missing or malformed id with a fresh hex one', () => {
    const fresh = requestIdOf(new Headers());
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(requestIdOf(new Headers({ 'x-request-id': 'bad id\n' }))).toMatch(/^[0-9a-f]{32}$/);
    expect(requestIdOf(new Headers())).not.toBe(fresh);
  });
});

describe('embed frame-ancestors lookup', () => {
  const answer = (status: number, body: unknown) =>
    (async () =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      })) as unknown as typeof fetch;

  it('reads the deployment’s allowed origins from the public embed info', async () => {
    const origins = await allowedOriginsOf(
      'pk_one',
      answer(200, { allowed_origins: ['https://shop.example', 7] }),
      1,
    );
    expect(origins).toEqual(['https://shop.example']);
  });

  it('frames nothing for an unknown key or an unreachable API', async () => {
    expect(await allowedOriginsOf('pk_two', answer(401, {}), 1)).toBeUndefined();
    expect(await allowedOriginsOf('pk_three', answer(503, {}), 1)).toBeUndefined();
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(await allowedOriginsOf('pk_four', failing, 1)).toBeUndefined();
  });

  it('remembers an answer briefly, then asks again', async () => {
    await allowedOriginsOf('pk_five', answer(200, { allowed_origins: ['https://a.example'] }), 0);
    const changed = answer(200, { allowed_origins: ['https://b.example'] });
    expect(await allowedOriginsOf('pk_five', changed, 10_000)).toEqual(['https://a.example']);
    expect(await allowedOriginsOf('pk_five', changed, 40_000)).toEqual(['https://b.example']);
  });
});
