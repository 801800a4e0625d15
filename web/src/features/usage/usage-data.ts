import type { Schema } from '@/lib/api/client';
import type { Bar } from './bar-chart';

/** One row of `GET /usage?group_by=…`; read loosely while that API lands. */
export interface UsageRow {
  key?: string;
  day?: string;
  date?: string;
  agent?: string;
  model?: string;
  provider?: string;
  session_minutes?: number;
  minutes?: number;
  cost_micros?: number;
  cost_usd?: number;
  sessions?: number;
  llm_input_tokens?: number;
  llm_output_tokens?: number;
}

export interface UsageResponse {
  items?: UsageRow[];
  rows?: UsageRow[];
  buckets?: UsageRow[];
  totals?: UsageRow;
  quota?: Record<string, unknown>;
  quotas?: Record<string, unknown>[] | Record<string, unknown>;
}

export function usageRows(r: UsageResponse | undefined): UsageRow[] {
  return r?.items ?? r?.rows ?? r?.buckets ?? [];
}

export function rowLabel(row: UsageRow): string {
  const raw =
    row.key ??
    row.day ??
    row.date ??
    row.agent ??
    (row.provider && row.model ? `${row.provider}/${row.model}` : row.model) ??
    '—';
  return /^\d{4}-\d{2}-\d{2}/.test(raw) ? raw.slice(5, 10) : raw;
}

export const minutesOf = (row: UsageRow) => row.session_minutes ?? row.minutes ?? 0;
export const costMicrosOf = (row: UsageRow) =>
  row.cost_micros ?? (row.cost_usd !== undefined ? row.cost_usd * 1_000_000 : 0);

/** Minutes per day from the sessions list (when the usage API is not there). */
export function minutesPerDay(
  sessions: Schema<'SessionRead'>[],
  days: number,
  now = new Date(),
): Bar[] {
  const bars: Bar[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(now);
    d.setDate(d.getDate() - i);
    const key = d.toISOString().slice(0, 10);
    const minutes = sessions
      .filter((s) => (s.started_at ?? s.created_at).slice(0, 10) === key)
      .reduce((sum, s) => sum + (s.duration_seconds ?? 0) / 60, 0);
    bars.push({ label: key.slice(5), value: Math.round(minutes * 10) / 10 });
  }
  return bars;
}
