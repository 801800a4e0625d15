import { describe, expect, it } from 'vitest';
import { requestIdOf } from './proxy';

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
