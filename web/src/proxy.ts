import { NextResponse, type NextRequest } from 'next/server';
import { apiBaseUrl } from '@/lib/api/api-base-url';

// Read once when the server starts (the Node.js runtime; not inlined at build time).
const API_URL = apiBaseUrl();

/** Forwards same-origin `/api/*` requests to the Platform API. */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  return NextResponse.rewrite(new URL(`${pathname}${search}`, `${API_URL}/`));
}

export const config = { matcher: '/api/:path*' };
