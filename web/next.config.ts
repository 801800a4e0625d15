import type { NextConfig } from 'next';

// The browser only ever talks to its own origin; `/api/*` is forwarded to the Platform API.
const apiUrl = (process.env.TROUPE_API_URL ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  async rewrites() {
    return [{ source: '/api/:path*', destination: `${apiUrl}/api/:path*` }];
  },
};

export default nextConfig;
