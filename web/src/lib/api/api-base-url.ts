export const DEFAULT_API_URL = 'http://127.0.0.1:8000';

/** The Platform API's origin as seen from the Next.js server (never from the browser). */
export function apiBaseUrl(env: Record<string, string | undefined> = process.env): string {
  return (env.TROUPE_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
}
