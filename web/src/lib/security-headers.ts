/**
 * Security headers of the web app (the API sets its own).
 *
 * - Static headers (`securityHeaders`, next.config.ts `headers()`, baked in by `next build`, so
 *   HSTS follows the TROUPE_WEB_URL seen at build time): nosniff, referrer and permissions
 *   policies, `X-Frame-Options: DENY` outside `/embed/`, and the code runners' worker policy.
 * - The page Content-Security-Policy (`contentSecurityPolicy`), built per request by the proxy
 *   (src/proxy.ts) with a fresh nonce: Next reads the nonce from the request's CSP header and
 *   puts it on its own scripts; the root layout puts it on the no-flash theme script. Scripts
 *   run only with the nonce (`'strict-dynamic'` lets them load the app's chunks); no
 *   `'unsafe-inline'` and, in production, no `'unsafe-eval'` (`next dev` needs it: React
 *   rebuilds server error stacks with eval).
 * - The code panel runs user code (JavaScript with `AsyncFunction`, Python with Pyodide's
 *   WebAssembly) in workers loaded from `/runner/*`: a worker gets the policy of its own
 *   script's response, `RUNNER_CSP`, so eval is allowed there and nowhere else.
 * - `frame-ancestors`: `/embed/<key>` may be framed by the deployment's allowed origins (looked
 *   up per key by the proxy); every other page by nobody.
 * - `connect-src` allows WebSocket/HTTP(S) to any host because the LiveKit URL is configured
 *   per deployment and handed to the browser at session start.
 * - `media-src` allows HTTP(S) so the dashboard replay can play a recording from its signed URL
 *   (the API's own host, or an S3-compatible store's presigned URL on the storage host).
 */
export interface HeaderRule {
  source: string;
  headers: { key: string; value: string }[];
}

/** The policy of the code runners' worker scripts (public/runner/*). */
export const RUNNER_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "base-uri 'none'",
].join('; ');

export interface PolicyOptions {
  nonce: string;
  /** `next dev`: React's development build needs eval. */
  dev?: boolean;
  /** Origins that may frame the page: `'none'` unless given (`*` for any). */
  frameAncestors?: readonly string[];
}

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;
const NONCE = /^[A-Za-z0-9+/=_-]{16,128}$/;

/** The `frame-ancestors` sources for a deployment's allowed origins: well-formed
 *  `scheme://host[:port]` origins and `*`; anything else is dropped (it could inject a
 *  directive); none left: `'none'`. */
export function frameAncestors(origins: readonly string[] | undefined): string {
  if (!origins) return "'none'";
  if (origins.includes('*')) return '*';
  const valid = [...new Set(origins.filter((o) => ORIGIN.test(o)).map((o) => o.toLowerCase()))];
  return valid.length ? valid.join(' ') : "'none'";
}

export function contentSecurityPolicy({
  nonce,
  dev = false,
  frameAncestors: origins,
}: PolicyOptions) {
  if (!NONCE.test(nonce)) throw new Error('a CSP nonce must be 16+ base64 characters');
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    "media-src 'self' blob: mediastream: http: https:",
    "connect-src 'self' ws: wss: http: https:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors(origins)}`,
  ].join('; ');
}

/** A fresh nonce: 16 random bytes, base64. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export function securityHeaders(webUrl: string = process.env.TROUPE_WEB_URL ?? ''): HeaderRule[] {
  const common = [
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    {
      key: 'Permissions-Policy',
      value: 'microphone=(self), camera=(self), display-capture=(self), geolocation=()',
    },
    ...(webUrl.startsWith('https://')
      ? [{ key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' }]
      : []),
  ];
  return [
    { source: '/((?!embed/).*)', headers: [...common, { key: 'X-Frame-Options', value: 'DENY' }] },
    { source: '/embed/:path*', headers: common },
    { source: '/runner/:path*', headers: [{ key: 'Content-Security-Policy', value: RUNNER_CSP }] },
  ];
}
