import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers';

const value = (rules: ReturnType<typeof securityHeaders>, source: string, key: string) =>
  rules.find((r) => r.source === source)?.headers.find((h) => h.key === key)?.value;

describe('securityHeaders', () => {
  it('refuses framing everywhere but the embed page', () => {
    const rules = securityHeaders('http://127.0.0.1:3000');
    expect(value(rules, '/((?!embed/).*)', 'X-Frame-Options')).toBe('DENY');
    expect(value(rules, '/((?!embed/).*)', 'Content-Security-Policy')).toContain(
      "frame-ancestors 'none'",
    );
    expect(value(rules, '/embed/:path*', 'X-Frame-Options')).toBeUndefined();
    expect(value(rules, '/embed/:path*', 'Content-Security-Policy')).toContain('frame-ancestors *');
  });

  it('sends HSTS only when served over https', () => {
    expect(
      value(securityHeaders('http://x'), '/embed/:path*', 'Strict-Transport-Security'),
    ).toBeUndefined();
    expect(
      value(securityHeaders('https://x'), '/embed/:path*', 'Strict-Transport-Security'),
    ).toContain('max-age=');
  });

  it('always sends nosniff and a referrer policy', () => {
    for (const rule of securityHeaders()) {
      const keys = rule.headers.map((h) => h.key);
      expect(keys).toContain('X-Content-Type-Options');
      expect(keys).toContain('Referrer-Policy');
    }
  });
});
