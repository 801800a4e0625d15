'use client';

import { Badge, DataTable, EmptyState, dash } from '@/components/ui/kit';
import type { Schema } from '@/lib/api/client';

const pct = (v: number | null | undefined) => (v == null ? '—' : `${Math.round(v * 100)}%`);
const ms = (v: number | null | undefined) => (v == null ? '—' : `${Math.round(v)} ms`);
const sec = (v: number | null | undefined) => (v == null ? '—' : `${v.toFixed(1)} s`);

/** One column per arm: completion (analysis), duration, latency, handoffs, tool errors, cost. */
export function ExperimentResults({ results }: { results: Schema<'ExperimentResults'> }) {
  if (results.arms.length === 0) {
    return (
      <EmptyState title="No arms yet" body="Save an experiment to start splitting sessions." />
    );
  }
  // "best" only when at least two arms have analysed sessions to compare and one is ahead.
  const rates = results.arms.map((a) => a.completion_rate).filter((r): r is number => r != null);
  const best =
    rates.length > 1 && Math.max(...rates) > Math.min(...rates) ? Math.max(...rates) : null;
  const rows: [string, (a: Schema<'ArmResult'>) => React.ReactNode][] = [
    ['Weight', (a) => (a.weight == null ? <Badge tone="warning">removed</Badge> : a.weight)],
    ['Sessions', (a) => `${a.sessions} (${pct(a.share)})`],
    ['Completed sessions', (a) => a.completed_sessions],
    [
      'Success (analysis)',
      (a) => (
        <span>
          {pct(a.completion_rate)}{' '}
          <span className={dash.muted}>
            {a.successful_sessions}/{a.analyzed_sessions}
          </span>{' '}
          {best !== null && a.completion_rate === best && <Badge tone="success">best</Badge>}
        </span>
      ),
    ],
    ['Average duration', (a) => sec(a.avg_duration_s)],
    ['Turn latency p50', (a) => ms(a.turn_latency_p50_ms)],
    ['Turn latency p95', (a) => ms(a.turn_latency_p95_ms)],
    [
      'Handoffs',
      (a) =>
        `${a.handoffs}${a.handoffs_per_session == null ? '' : ` (${a.handoffs_per_session.toFixed(2)}/session)`}`,
    ],
    ['Tool errors', (a) => a.tool_errors],
    ['Cost per session', (a) => (a.cost_per_session_usd ? `$${a.cost_per_session_usd}` : '—')],
  ];
  return (
    <DataTable columns={['Metric', ...results.arms.map((a) => a.arm)]} testId="experiment-results">
      {rows.map(([label, cell]) => (
        <tr key={label}>
          <th scope="row" style={{ textAlign: 'left', width: '24%' }}>
            {label}
          </th>
          {results.arms.map((a) => (
            <td key={a.arm}>{cell(a)}</td>
          ))}
        </tr>
      ))}
    </DataTable>
  );
}
