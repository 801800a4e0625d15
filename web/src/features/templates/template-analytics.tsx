'use client';

import { useState } from 'react';
import { Card, EmptyState, ErrorBanner, Loading, dash } from '@/components/ui/kit';
import { formatCost } from '@/lib/format';
import { BarChart } from '@/features/usage/bar-chart';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

type Analytics = Schema<'TemplateAnalytics'>;

function ms(v: number | null | undefined): string {
  return v == null ? '—' : `${Math.round(v)} ms`;
}

function duration(s: number | null | undefined): string {
  if (s == null) return '—';
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  return m ? `${m} min ${rest} s` : `${rest} s`;
}

/** The figures the overview shows, in order: label, value. */
export function analyticsStats(a: Analytics): [string, string][] {
  const perSession = a.cost_per_session_usd == null ? null : Number(a.cost_per_session_usd);
  return [
    ['Sessions', String(a.sessions)],
    [
      'Completion',
      a.completion_rate == null
        ? '—'
        : `${Math.round(a.completion_rate * 100)}% (${a.completed_sessions} of ${
            a.completed_sessions + a.failed_sessions + a.abandoned_sessions
          })`,
    ],
    ['Average duration', duration(a.avg_duration_s)],
    ['Turn latency p50 / p95', `${ms(a.turn_latency_p50_ms)} / ${ms(a.turn_latency_p95_ms)}`],
    ['Cost', formatCost(a.cost_micros)],
    ['Cost per session', perSession == null ? '—' : formatCost(perSession * 1_000_000)],
    ['Handoffs', String(a.handoffs)],
    ['Tool calls (errors)', `${a.tool_calls} (${a.tool_errors})`],
  ];
}

/** `GET /session-templates/{id}/analytics`: how this template's sessions went. */
export function TemplateAnalyticsCard({ templateId }: { templateId: string }) {
  const [days, setDays] = useState(30);
  const [now] = useState(() => Date.now());
  const since = new Date(now - days * 86_400_000).toISOString();
  const data = useApi<Analytics>(`/session-templates/${templateId}/analytics`, {
    query: { since },
  });
  const a = data.data;
  return (
    <Card
      title="Analytics"
      testId="template-analytics"
      actions={
        <select
          className={dash.input}
          aria-label="Analytics period"
          value={days}
          onChange={(e) => setDays(Number(e.target.value))}
        >
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
        </select>
      }
    >
      <ErrorBanner error={data.error} />
      {!a ? (
        data.error ? null : (
          <Loading />
        )
      ) : a.sessions === 0 ? (
        <EmptyState
          title="No sessions in this period"
          body="Start a test session or publish the template to see how it performs."
        />
      ) : (
        <div className={dash.stack}>
          <dl className={dash.grid3} data-testid="template-analytics-stats">
            {analyticsStats(a).map(([label, value]) => (
              <div key={label} className={dash.stat}>
                <dt className={dash.muted}>{label}</dt>
                <dd style={{ margin: 0, fontWeight: 600 }}>{value}</dd>
              </div>
            ))}
          </dl>
          <BarChart
            title="Sessions per day"
            bars={a.days.map((d) => ({ label: d.day.slice(5), value: d.sessions }))}
          />
        </div>
      )}
    </Card>
  );
}
