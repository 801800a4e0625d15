import { describe, expect, it } from 'vitest';
import { usageCells } from './tool-usage';

describe('usageCells', () => {
  it('formats calls, error rate and latency per tool', () => {
    const cells = usageCells([
      {
        name: 'lookup',
        calls: 8,
        errors: 2,
        avg_latency_ms: 123.6,
        last_called_at: '2026-12-06T00:00:00Z',
      },
      { name: 'idle', calls: 0, errors: 0, avg_latency_ms: null, last_called_at: null },
    ]);
    expect(cells.get('lookup')).toEqual({
      calls: '8',
      errors: '2 (25%)',
      latency: '124 ms',
      lastCalled: '2026-12-06T00:00:00Z',
    });
    expect(cells.get('idle')).toMatchObject({ errors: '0', latency: '—' });
    expect(usageCells(undefined).size).toBe(0);
  });
});
