import { NextResponse, type NextRequest } from 'next/server';
import { apiBaseUrl } from '@/lib/api/api-base-url';

// Read once when the server starts (the Node.js runtime; not inlined at build time).
const API_URL = apiBaseUrl();

/**
 * The only auth cookie the browser sends outside `/api` (`troupe_access` is Path=/api,
 * `troupe_refresh` Path=/api/v1/auth/refresh). The API sets it with every login and refresh
 * and clears it on logout, so it marks "has a session"; the dashboard still checks `/me`.
 */
export const SESSION_MARKER_COOKIE = 'troupe_csrf';

/** Forwards same-origin `/api/*` requests to the Platform API; guards `/dashboard`. */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/dashboard')) {
    if (request.cookies.has(SESSION_MARKER_COOKIE)) return NextResponse.next();
    const login = new URL('/login', request.url);
    login.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(login);
  }
  return NextResponse.rewrite(new URL(`${pathname}${search}`, `${API_URL}/`));
}

export const config = { matcher: ['/api/:path*', '/dashboard', '/dashboard/:path*'] };
