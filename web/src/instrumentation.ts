/**
 * Next's server start-up hook: in production the web server logs JSON lines in the platform's
 * one log format (src/lib/server/log.ts), and request errors are logged with their request id.
 */
import type { Instrumentation } from 'next';

export async function register(): Promise<void> {
  if (
    process.env.NEXT_RUNTIME === 'nodejs' &&
    process.env.NODE_ENV === 'production' &&
    process.env.TROUPE_WEB_LOG_FORMAT !== 'text'
  ) {
    const { installJsonConsole, log } = await import('./lib/server/log');
    installJsonConsole();
    log('info', 'web_started', { node: process.version });
  }
}

export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { log } = await import('./lib/server/log');
  const header = request.headers['x-request-id'];
  log('error', 'request_failed', {
    request_id: Array.isArray(header) ? header[0] : header,
    method: request.method,
    path: request.path,
    route: context.routePath,
    route_type: context.routeType,
    exception: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
};
