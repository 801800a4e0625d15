/**
 * The web server's structured log: one JSON object per line with the field names the API and
 * the agent runtime use (structlog there): `event`, `level`, `logger`, `timestamp` (ISO 8601,
 * UTC) plus context such as `request_id`, `method`, `path`, `session_id`, `org_id`.
 *
 * In production (`next start` / the standalone server) `installJsonConsole()` routes Next's own
 * console output through it too, so a log pipeline sees one format from every process.
 * `TROUPE_WEB_LOG_FORMAT=text` keeps plain console output.
 */
import { format } from 'node:util';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export type LogFields = Record<string, unknown>;

export const WEB_LOGGER = 'troupe_web';

type Writer = (line: string) => void;

const stdout: Writer = (line) => process.stdout.write(line);
const stderr: Writer = (line) => process.stderr.write(line);

export function logLine(
  level: LogLevel,
  event: string,
  fields: LogFields = {},
  logger: string = WEB_LOGGER,
  now: Date = new Date(),
): string {
  const record: LogFields = {
    ...fields,
    event,
    level,
    logger,
    timestamp: now.toISOString(),
  };
  return `${JSON.stringify(record, (_key, value: unknown) =>
    value instanceof Error ? { name: value.name, message: value.message } : value,
  )}\n`;
}

export function log(level: LogLevel, event: string, fields: LogFields = {}): void {
  (level === 'error' || level === 'warning' ? stderr : stdout)(logLine(level, event, fields));
}

const CONSOLE_LEVELS: [keyof Console, LogLevel, Writer][] = [
  ['log', 'info', stdout],
  ['info', 'info', stdout],
  ['debug', 'debug', stdout],
  ['warn', 'warning', stderr],
  ['error', 'error', stderr],
];

let installed = false;

/** Replace the console's writers with JSON lines (`logger: "next"`); idempotent. */
export function installJsonConsole(target: Console = console): void {
  if (installed && target === console) return;
  for (const [method, level, write] of CONSOLE_LEVELS) {
    (target as unknown as Record<string, (...args: unknown[]) => void>)[method] = (
      ...args: unknown[]
    ) => {
      const error = args.find((a): a is Error => a instanceof Error);
      const fields: LogFields = error ? { exception: error.stack ?? String(error) } : {};
      // Strip ANSI colours Next adds to its banner and warnings.
      const text = format(...args).replace(/\u001b\[[0-9;]*m/g, '');
      write(logLine(level, text, fields, 'next'));
    };
  }
  if (target === console) installed = true;
}
