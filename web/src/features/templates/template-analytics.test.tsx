import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TemplateAnalyticsCard, analyticsStats } from './template-analytics';

afterEach(() => vi.unstubAllGlobals());

const analytics = {
  template_id: 't1',
  since: '2026-11-06T00:00:00Z',
  until: '2026-12-06T00:00:00Z',
  sessions: 5,
  active_sessions: 1,
  completed_sessions: 2,
  failed_sessions: 1,
  abandoned_sessions: 1,
  completion_rate: 0.5,
  avg_duration_s: 90,
  total_minutes: 3,
  turn_latency_p50_ms: 600,
  turn_latency_p95_ms: 780.4,
  turns: 3,
  handoffs: 1,
  tool_calls: 2,
  tool_errors: 1,
  cost_micros: 2_500_000,
  cost_usd: '2.500000',
  cost_per_session_usd: '0.500000',
  days: [{ day: '2026-12-06', sessions: 5, completed: 2 }],
};

describe('template analytics', () => {
  it('summarises completion, duration, latency and cost', () => {
    expect(Object.fromEntries(analyticsStats(analytics))).toMatchObject({
      Sessions: '5',
      Completion: '50% (2 of 4)',
      'Average duration': '1 min 30 s',
      'Turn latency p50 / p95': '600 ms / 780 ms',
      'Tool calls (errors)': '2 (1)',
    });
    expect(analyticsStats({ ...analytics, completion_rate: null })[1]).toEqual(['Completion', '—']);
  });

  it('loads the template analytics for the period', async () => {
    const fetchMock = vi.fn().mockResolvedValue(
      new Response(JSON.stringify(analytics), {
        headers: { 'content-type': 'application/json' },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
    render(<TemplateAnalyticsCard templateId="t1" />);
    expect(await screen.findByTestId('template-analytics-stats')).toHaveTextContent('50% (2 of 4)');
    expect(String(fetchMock.mock.calls[0]?.[0])).toMatch(
      /^\/api\/v1\/session-templates\/t1\/analytics\?since=/,
    );
  });
});
