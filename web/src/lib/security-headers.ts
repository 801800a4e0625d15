/**
 * Security headers for every page (the API sets its own). `next build` bakes them in, so
 * HSTS follows the TROUPE_WEB_URL seen at build time.
 *
 * - The session start page `/embed/*` may be framed by customer sites (the dashboard's embed
 *   snippet); every other page refuses framing.
 * - `script-src` keeps 'unsafe-inline' for Next's inline bootstrap and the no-flash theme
 *   script, and allows WebAssembly compilation and eval for the code panel's in-browser Python
 *   (Pyodide) and JavaScript runner; everything is served from our own origin.
 * - `connect-src` allows WebSocket/HTTP(S) to any host because the LiveKit URL is configured
 *   per deployment and handed to the browser at session start.
 * - `media-src` allows HTTP(S) so the dashboard replay can play a recording from its signed URL
 *   (the API's own host, or an S3-compatible store's presigned URL on the storage host).
 */
export interface HeaderRule {
  source: string;
  headers: { key: string; value: string }[];
}

function csp(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    "media-src 'self' blob: mediastream: http: https:",
    "connect-src 'self' ws: wss: http: https:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
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
    {
      source: '/((?!embed/).*)',
      headers: [
        ...common,
        { key: 'X-Frame-Options', value: 'DENY' },
        { key: 'Content-Security-Policy', value: csp("'none'") },
      ],
    },
    {
      source: '/embed/:path*',
      headers: [...common, { key: 'Content-Security-Policy', value: csp('*') }],
    },
  ];
}
