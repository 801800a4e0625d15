import type { NextConfig } from 'next';
import { apiBaseUrl } from './src/lib/api/api-base-url';
import { securityHeaders } from './src/lib/security-headers';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // Container images ship the self-contained server (`node .next/standalone/server.js`, traced
  // dependencies only); local `next start` (make dev / make test) does not need it.
  output: process.env.TROUPE_WEB_STANDALONE === '1' ? 'standalone' : undefined,
  poweredByHeader: false,
  async headers() {
    return securityHeaders();
  },
  // The browser only ever talks to its own origin; `/api/*` is forwarded to the Platform API.
  // `next build` bakes rewrites into its manifest, so `src/proxy.ts` repeats this rewrite per
  // request with TROUPE_API_URL as the running server sees it (build once, point anywhere).
  async rewrites() {
    return [{ source: '/api/:path*', destination: `${apiBaseUrl()}/api/:path*` }];
  },
};

export default nextConfig;
