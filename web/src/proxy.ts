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

const REQUEST_ID = 'x-request-id';
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id when well-formed (the API applies the same rule), else a new one. */
export function requestIdOf(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID) ?? '';
  return VALID_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID().replaceAll('-', '');
}

/**
 * Forwards same-origin `/api/*` requests to the Platform API with an X-Request-ID, so the web
 * server's and the API's log lines of one request share `request_id`; guards `/dashboard`.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/dashboard')) {
    if (request.cookies.has(SESSION_MARKER_COOKIE)) return NextResponse.next();
    const login = new URL('/login', request.url);
    login.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(login);
  }
  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID, requestIdOf(request.headers));
  return NextResponse.rewrite(new URL(`${pathname}${search}`, `${API_URL}/`), {
    request: { headers },
  });
}

export const config = { matcher: ['/api/:path*', '/dashboard', '/dashboard/:path*'] };
