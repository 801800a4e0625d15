import { NextResponse, type NextRequest } from 'next/server';
import { apiBaseUrl } from '@/lib/api/api-base-url';
import { connectSources, contentSecurityPolicy, newNonce } from '@/lib/security-headers';

// Read once when the server starts (the Node.js runtime; not inlined at build time).
const API_URL = apiBaseUrl();
// Where the browser may connect besides this origin: the LiveKit URL(s) and operator extras.
const CONNECT_SOURCES = connectSources();

/**
 * The only auth cookie the browser sends outside `/api` (`troupe_access` is Path=/api,
 * `troupe_refresh` Path=/api/v1/auth/refresh). The API sets it with every login and refresh
 * and clears it on logout, so it marks "has a session"; the dashboard still checks `/me`.
 */
export const SESSION_MARKER_COOKIE = 'troupe_csrf';

const REQUEST_ID = 'x-request-id';
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The header the root layout reads the request's CSP nonce from. */
export const NONCE_HEADER = 'x-nonce';
const CSP = 'content-security-policy';

/** The caller's request id when well-formed (the API applies the same rule), else a new one. */
export function requestIdOf(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID) ?? '';
  return VALID_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID().replaceAll('-', '');
}

// ── frame-ancestors of /embed/<key>: the deployment's allowed origins, from the public embed
// info, remembered briefly (a changed list applies within EMBED_TTL_MS).
const EMBED_KEY = /^\/embed\/(pk_[A-Za-z0-9_-]{1,100})\/?$/;
const EMBED_TTL_MS = 30_000;
const EMBED_CACHE_MAX = 1000;
const embedOrigins = new Map<string, { origins: string[] | undefined; at: number }>();

/** The allowed origins of an enabled deployment's embed key; undefined when the key is
 *  unknown, disabled, or the API cannot be asked (the page is then framed by nobody). */
export async function allowedOriginsOf(
  embedKey: string,
  fetcher: typeof fetch = fetch,
  now: number = Date.now(),
): Promise<string[] | undefined> {
  const cached = embedOrigins.get(embedKey);
  if (cached && now - cached.at < EMBED_TTL_MS) return cached.origins;
  let origins: string[] | undefined;
  try {
    const response = await fetcher(`${API_URL}/api/v1/embed/${encodeURIComponent(embedKey)}`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(3000),
    });
    if (response.ok) {
      const body = (await response.json()) as { allowed_origins?: unknown };
      if (Array.isArray(body.allowed_origins)) {
        origins = body.allowed_origins.filter((o): o is string => typeof o === 'string');
      }
    } else if (response.status >= 500) {
      return undefined; // not remembered: ask again next time
    }
  } catch {
    return undefined;
  }
  if (embedOrigins.size >= EMBED_CACHE_MAX) embedOrigins.clear();
  embedOrigins.set(embedKey, { origins, at: now });
  return origins;
}

/** A page answer with a fresh nonce: the CSP goes on the request (Next takes the nonce from
 *  it for its scripts; the layout reads `x-nonce`) and on the response. */
async function withPolicy(request: NextRequest, headers: Headers): Promise<NextResponse> {
  const nonce = newNonce();
  const embed = EMBED_KEY.exec(request.nextUrl.pathname);
  const policy = contentSecurityPolicy({
    nonce,
    dev: process.env.NODE_ENV === 'development',
    frameAncestors: embed?.[1] ? await allowedOriginsOf(embed[1]) : undefined,
    connectSources: CONNECT_SOURCES,
  });
  headers.set(NONCE_HEADER, nonce);
  headers.set(CSP, policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set(CSP, policy);
  return response;
}

/**
 * Forwards same-origin `/api/*` requests to the Platform API with an X-Request-ID, so the web
 * server's and the API's log lines of one request share `request_id`; guards `/dashboard`;
 * gives every page its Content-Security-Policy with a fresh nonce.
 */
export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const headers = new Headers(request.headers);
  if (pathname === '/api' || pathname.startsWith('/api/')) {
    headers.set(REQUEST_ID, requestIdOf(request.headers));
    return NextResponse.rewrite(new URL(`${pathname}${search}`, `${API_URL}/`), {
      request: { headers },
    });
  }
  if (
    (pathname === '/dashboard' || pathname.startsWith('/dashboard/')) &&
    !request.cookies.has(SESSION_MARKER_COOKIE)
  ) {
    const login = new URL('/login', request.url);
    login.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(login);
  }
  return withPolicy(request, headers);
}

// Every path but the build's static files and the files of public/ (no HTML there).
export const config = {
  matcher: ['/((?!_next/static|_next/image|vendor/|runner/|icon.svg|favicon.ico).*)'],
};
