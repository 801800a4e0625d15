import { afterEach, describe, expect, it, vi } from 'vitest';
import { installJsonConsole, logLine } from './log';

describe('web server log lines', () => {
  afterEach(() => vi.restoreAllMocks());

  it('use the API/runtime field names, one JSON object per line', () => {
    const line = logLine(
      'info',
      'request',
      { request_id: 'r1', path: '/x' },
      undefined,
      new Date('2026-11-25T18:00:00Z'),
    );
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      event: 'request',
      level: 'info',
      logger: 'troupe_web',
      timestamp: '2026-11-25T18:00:00.000Z',
      request_id: 'r1',
      path: '/x',
    });
  });

  it('cannot be spoofed by context fields and serialises errors', () => {
    const parsed = JSON.parse(
      logLine('error', 'boom', { level: 'debug', event: 'x', err: new Error('bad') }),
    );
    expect(parsed.level).toBe('error');
    expect(parsed.event).toBe('boom');
    expect(parsed.err).toEqual({ name: 'Error', message: 'bad' });
  });

  it('route console output through JSON, errors to stderr without colours', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const target = { ...console } as Console;
    installJsonConsole(target);
    target.log('\u001b[32m✓\u001b[39m Ready in %dms', 12);
    target.error('failed', new Error('nope'));
    const info = JSON.parse(String(out.mock.calls[0]?.[0]));
    expect(info).toMatchObject({ event: '✓ Ready in 12ms', level: 'info', logger: 'next' });
    const error = JSON.parse(String(err.mock.calls[0]?.[0]));
    expect(error.level).toBe('error');
    expect(error.event).toContain('failed');
    expect(error.exception).toContain('Error: nope');
  });
});
