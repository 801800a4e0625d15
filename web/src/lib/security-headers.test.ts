import { describe, expect, it } from 'vitest';
import {
  RUNNER_CSP,
  connectSources,
  contentSecurityPolicy,
  frameAncestors,
  newNonce,
  securityHeaders,
} from './security-headers';

const value = (rules: ReturnType<typeof securityHeaders>, source: string, key: string) =>
  rules.find((r) => r.source === source)?.headers.find((h) => h.key === key)?.value;

const directive = (policy: string, name: string) =>
  policy
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));

describe('contentSecurityPolicy', () => {
  const nonce = 'AAAAAAAAAAAAAAAAAAAAAA==';

  it('runs scripts by nonce only: no unsafe-inline, no eval in production', () => {
    const script = directive(contentSecurityPolicy({ nonce }), 'script-src');
    expect(script).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(script).not.toContain('unsafe-inline');
    expect(script).not.toContain('unsafe-eval');
  });

  it('allows eval under next dev only', () => {
    expect(directive(contentSecurityPolicy({ nonce, dev: true }), 'script-src')).toContain(
      "'unsafe-eval'",
    );
  });

  it('refuses framing unless origins are given', () => {
    expect(directive(contentSecurityPolicy({ nonce }), 'frame-ancestors')).toBe(
      "frame-ancestors 'none'",
    );
    expect(
      directive(
        contentSecurityPolicy({ nonce, frameAncestors: ['https://shop.example', 'http://a:8080'] }),
        'frame-ancestors',
      ),
    ).toBe('frame-ancestors https://shop.example http://a:8080');
  });

  it('refuses a malformed nonce', () => {
    expect(() => contentSecurityPolicy({ nonce: "x'; script-src *" })).toThrow();
  });
});

describe('connect-src', () => {
  const nonce = 'AAAAAAAAAAAAAAAAAAAAAA==';

  it('allows only this origin and the configured ones, never any host of a scheme', () => {
    const policy = contentSecurityPolicy({
      nonce,
      connectSources: connectSources({ LIVEKIT_URL: 'wss://lk.example.com' }),
    });
    const connect = directive(policy, 'connect-src');
    expect(connect).toBe("connect-src 'self' wss://lk.example.com https://lk.example.com");
    for (const any of [' ws: ', ' wss: ', ' http: ', ' https: ', '*']) {
      expect(`${connect} `).not.toContain(any);
    }
    expect(directive(contentSecurityPolicy({ nonce }), 'connect-src')).toBe("connect-src 'self'");
  });

  it('takes every LiveKit URL and the extra origins, dropping malformed ones', () => {
    expect(
      connectSources({
        LIVEKIT_URL: 'ws://127.0.0.1:7880/, wss://LK.example.com:443/rtc',
        TROUPE_WEB_CONNECT_SRC: "https://api.example.com,wss://turn.example.com  x'; script-src *",
      }),
    ).toEqual([
      'ws://127.0.0.1:7880',
      'http://127.0.0.1:7880',
      'wss://lk.example.com',
      'https://lk.example.com',
      'https://api.example.com',
      'wss://turn.example.com',
    ]);
    expect(
      connectSources({ LIVEKIT_URL: 'ftp://x', TROUPE_WEB_CONNECT_SRC: 'javascript:1' }),
    ).toEqual([]);
  });

  it('defaults to the local LiveKit server when LIVEKIT_URL is unset', () => {
    expect(connectSources({})).toEqual(['ws://127.0.0.1:7880', 'http://127.0.0.1:7880']);
  });
});

describe('frameAncestors', () => {
  it('keeps well-formed origins and * only (no directive injection)', () => {
    expect(frameAncestors(undefined)).toBe("'none'");
    expect(frameAncestors([])).toBe("'none'");
    expect(frameAncestors(['*', 'https://a.example'])).toBe('*');
    expect(frameAncestors(['https://a.example; script-src *', 'javascript:x'])).toBe("'none'");
    expect(frameAncestors(['https://A.example', 'https://a.example'])).toBe('https://a.example');
  });
});

describe('newNonce', () => {
  it('is fresh base64 every time', () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(a);
  });
});

describe('securityHeaders', () => {
  it('refuses framing everywhere but the embed page', () => {
    const rules = securityHeaders('http://127.0.0.1:3000');
    expect(value(rules, '/((?!embed/).*)', 'X-Frame-Options')).toBe('DENY');
    expect(value(rules, '/embed/:path*', 'X-Frame-Options')).toBeUndefined();
    // The page policy comes from the proxy, per request.
    expect(value(rules, '/embed/:path*', 'Content-Security-Policy')).toBeUndefined();
  });

  it('gives the code runner workers their own policy, the only one with eval', () => {
    expect(value(securityHeaders(), '/runner/:path*', 'Content-Security-Policy')).toBe(RUNNER_CSP);
    expect(RUNNER_CSP).toContain("'unsafe-eval'");
    expect(RUNNER_CSP).toContain("'wasm-unsafe-eval'");
  });

  it('sends HSTS only when served over https', () => {
    expect(
      value(securityHeaders('http://x'), '/embed/:path*', 'Strict-Transport-Security'),
    ).toBeUndefined();
    expect(
      value(securityHeaders('https://x'), '/embed/:path*', 'Strict-Transport-Security'),
    ).toContain('max-age=');
  });

  it('always sends nosniff and a referrer policy on pages', () => {
    for (const rule of securityHeaders().filter((r) => !r.source.startsWith('/runner'))) {
      const keys = rule.headers.map((h) => h.key);
      expect(keys).toContain('X-Content-Type-Options');
      expect(keys).toContain('Referrer-Policy');
    }
  });
});
