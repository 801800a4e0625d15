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
 * - `connect-src`: the app's own origin (the browser reaches the API through `/api`), the
 *   LiveKit URL the API hands out at session start (`LIVEKIT_URL`, the same setting the API
 *   reads; its `ws`/`wss` origin and the `http`/`https` one the LiveKit client also calls) and
 *   the operator's extra origins (`TROUPE_WEB_CONNECT_SRC`, space or comma separated). Nothing
 *   else: a fetch or WebSocket to another host is refused by the browser.
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
  /** Origins besides `'self'` that scripts may connect to (`connectSources()`). */
  connectSources?: readonly string[];
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

const CONNECT_ORIGIN = /^(wss?|https?):\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;
const COUNTERPART: Record<string, string> = {
  'ws:': 'http:',
  'wss:': 'https:',
  'http:': 'ws:',
  'https:': 'wss:',
};

/** The origin of a URL when it is ws/wss/http/https; undefined otherwise. */
function originOf(value: string): URL | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol in COUNTERPART && url.hostname ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The `connect-src` origins besides `'self'`, from the configuration the web server runs
 *  with: every `LIVEKIT_URL` (comma separated; its origin in both the WebSocket and the HTTP
 *  scheme, as the LiveKit client uses both) and `TROUPE_WEB_CONNECT_SRC` (extra origins,
 *  space or comma separated, taken as written). Malformed entries are dropped. */
export function connectSources(env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  for (const raw of (env.LIVEKIT_URL ?? 'ws://127.0.0.1:7880').split(',')) {
    const url = originOf(raw);
    if (!url) continue;
    const host = url.host.toLowerCase();
    out.push(`${url.protocol}//${host}`, `${COUNTERPART[url.protocol]}//${host}`);
  }
  for (const raw of (env.TROUPE_WEB_CONNECT_SRC ?? '').split(/[\s,]+/)) {
    const url = originOf(raw);
    if (url) out.push(`${url.protocol}//${url.host.toLowerCase()}`);
  }
  return [...new Set(out)].filter((o) => CONNECT_ORIGIN.test(o));
}

export function contentSecurityPolicy({
  nonce,
  dev = false,
  frameAncestors: origins,
  connectSources: connect = [],
}: PolicyOptions) {
  if (!NONCE.test(nonce)) throw new Error('a CSP nonce must be 16+ base64 characters');
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    "media-src 'self' blob: mediastream: http: https:",
    ["connect-src 'self'", ...connect].join(' '),
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
