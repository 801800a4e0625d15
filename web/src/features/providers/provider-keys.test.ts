import { describe, expect, it } from 'vitest';
import { keyBody, keyStatus } from './provider-keys';

describe('provider keys', () => {
  it('shows at most the last four characters', () => {
    expect(keyStatus({ provider: 'openai', configured: true, hint: 'WXYZ' })).toBe(
      'Key ending in …WXYZ',
    );
    expect(keyStatus({ provider: 'deepgram', configured: false })).toMatch(/platform key/);
    expect(
      keyStatus({
        provider: 'openai-compatible',
        configured: true,
        hint: null,
        base_url: 'http://10.0.0.5:8080/v1',
      }),
    ).toBe('Set at http://10.0.0.5:8080/v1');
  });

  it('builds the body or says what is missing', () => {
    expect(keyBody('openai', '  sk-x ', '')).toEqual({ body: { api_key: 'sk-x' } });
    expect(keyBody('openai', ' ', '')).toEqual({ problem: 'Enter the key.' });
    expect(keyBody('openai-compatible', '', 'http://h:1/v1')).toEqual({
      body: { api_key: '', base_url: 'http://h:1/v1' },
    });
    expect(keyBody('openai-compatible', 'k', 'h:1')).toHaveProperty('problem');
  });
});
