import type { components } from './schema';
import { ApiError } from './api-error';
import { apiFetch, type ApiFetchOptions } from './api-fetch';

/** A schema from the API's OpenAPI document (`npm run gen:api`). */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

export const CSRF_COOKIE = 'troupe_csrf';
export const CSRF_HEADER = 'X-Troupe-CSRF';
export const ORG_HEADER = 'X-Troupe-Org';
const ORG_STORAGE_KEY = 'troupe.org';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function readCookie(name: string, cookie: string = globalCookie()): string | undefined {
  for (const part of cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function globalCookie(): string {
  return typeof document === 'undefined' ? '' : document.cookie;
}

let selectedOrg: string | null = null;

/** The organization sent as `X-Troupe-Org` (an id; remembered per browser, not a secret). */
export function getSelectedOrg(): string | null {
  if (selectedOrg === null && typeof window !== 'undefined') {
    try {
      selectedOrg = window.localStorage.getItem(ORG_STORAGE_KEY);
    } catch {
      selectedOrg = null;
    }
  }
  return selectedOrg;
}

export function setSelectedOrg(orgId: string | null): void {
  selectedOrg = orgId;
  try {
    if (orgId) window.localStorage.setItem(ORG_STORAGE_KEY, orgId);
    else window.localStorage.removeItem(ORG_STORAGE_KEY);
  } catch {
    // Storage blocked: the choice lasts for this page only.
  }
}

export interface ApiOptions extends Omit<ApiFetchOptions, 'method'> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Skip the org header (auth endpoints). */
  noOrg?: boolean;
}

let refreshing: Promise<boolean> | null = null;

/** `POST /auth/refresh` once for all concurrent callers; true when new cookies were set. */
export function refreshTokens(fetchImpl: typeof fetch = fetch): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const headers = new Headers();
      const csrf = readCookie(CSRF_COOKIE);
      if (csrf) headers.set(CSRF_HEADER, csrf);
      await apiFetch('/api/v1/auth/refresh', { method: 'POST', headers, fetchImpl });
      return true;
    } catch {
      return false;
    } finally {
      setTimeout(() => {
        refreshing = null;
      }, 0);
    }
  })();
  return refreshing;
}

export function buildPath(path: string, query?: ApiOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

/**
 * Dashboard request: cookies for auth, CSRF header on unsafe methods, selected organization,
 * and one silent refresh + retry when the access token expired.
 */
export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const { query, noOrg, method = 'GET', ...rest } = options;
  const url = buildPath(path.startsWith('/api/') ? path : `/api/v1${path}`, query);
  const send = () => {
    const headers = new Headers(rest.headers);
    if (UNSAFE.has(method)) {
      const csrf = readCookie(CSRF_COOKIE);
      if (csrf) headers.set(CSRF_HEADER, csrf);
    }
    const org = noOrg ? null : getSelectedOrg();
    if (org) headers.set(ORG_HEADER, org);
    return apiFetch<T>(url, { ...rest, method, headers });
  };
  try {
    return await send();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && error.code === 'token_expired') {
      if (await refreshTokens(rest.fetchImpl)) return send();
    }
    throw error;
  }
}

export interface Problem {
  code: string;
  field: string;
  message: string;
}

/** `config_invalid` problems (and FastAPI's 422 `detail` list) keyed by field path. */
export function fieldProblems(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  const details = error.details as { problems?: Problem[] } | undefined;
  for (const problem of details?.problems ?? []) {
    const key = problem.field || '_';
    out[key] = out[key] ? `${out[key]} ${problem.message}` : problem.message;
  }
  const fields = (details as { fields?: { loc?: unknown[]; message?: string }[] } | undefined)
    ?.fields;
  if (Array.isArray(fields)) {
    for (const f of fields) {
      const loc = (f.loc ?? []).filter((p) => p !== 'body').join('.');
      if (loc && f.message) out[loc] = f.message;
    }
  }
  return out;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : 'Something went wrong.';
}
