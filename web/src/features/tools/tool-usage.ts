import type { Schema } from '@/lib/api/client';

type ToolUsage = Schema<'ToolUsage'>;

export interface UsageCells {
  calls: string;
  errors: string;
  latency: string;
  lastCalled: string | null;
}

/** The tools page's usage columns for each tool name (`GET /tools/usage`). */
export function usageCells(items: ToolUsage[] | undefined): Map<string, UsageCells> {
  const out = new Map<string, UsageCells>();
  for (const u of items ?? []) {
    const rate = u.calls ? Math.round((u.errors / u.calls) * 100) : 0;
    out.set(u.name, {
      calls: String(u.calls),
      errors: u.errors ? `${u.errors} (${rate}%)` : '0',
      latency: u.avg_latency_ms == null ? '—' : `${Math.round(u.avg_latency_ms)} ms`,
      lastCalled: u.last_called_at ?? null,
    });
  }
  return out;
}

export const NO_USAGE: UsageCells = { calls: '0', errors: '0', latency: '—', lastCalled: null };
