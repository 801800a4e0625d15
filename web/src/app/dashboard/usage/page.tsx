'use client';

import { useState } from 'react';
import { PriceTable } from '@/features/usage/price-table';
import { useSession } from '@/components/auth/session-provider';
import { Badge, Card, EmptyState, ErrorBanner, Loading, Notice, dash } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { formatCost } from '@/lib/format';
import { BarChart } from '@/features/usage/bar-chart';
import { planSummary, type UsageSettings } from '@/features/usage/plan';
import {
  costMicrosOf,
  minutesOf,
  minutesPerDay,
  rowLabel,
  usageRows,
  type UsageResponse,
} from '@/features/usage/usage-data';
import { ApiError } from '@/lib/api/api-error';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { quotaLabel, quotaValue } from '@/lib/words';

type GroupBy = 'day' | 'agent' | 'model' | 'template';
interface Listish {
  items?: Record<string, unknown>[];
}

function alertText(a: Record<string, unknown>): string {
  if (typeof a.kind === 'string' && a.value !== undefined) {
    const kind = a.kind.replace(/_/g, ' ');
    return `${kind}: ${String(a.value)} (threshold ${String(a.threshold)}, ${String(a.period ?? '')})`;
  }
  return text(a);
}

function text(item: Record<string, unknown>): string {
  for (const key of ['message', 'title', 'description', 'text', 'detail']) {
    if (typeof item[key] === 'string') return item[key] as string;
  }
  return JSON.stringify(item);
}

export default function UsagePage() {
  const { org } = useSession();
  const [days, setDays] = useState(30);
  const [groupBy, setGroupBy] = useState<GroupBy>('day');
  const [now] = useState(() => Date.now());
  const since = new Date(now - days * 86_400_000).toISOString();
  const usage = useApi<UsageResponse>('/usage', { query: { since, group_by: groupBy } });
  const alerts = useApi<Listish | Record<string, unknown>[]>('/usage/alerts');
  const recs = useApi<Listish | Record<string, unknown>[]>('/usage/recommendations');
  const missing = usage.error instanceof ApiError && usage.error.status === 404;
  const sessions = useApi<Schema<'SessionList'>>(missing ? '/sessions' : null, {
    query: { since, limit: 200 },
  });
  const rows = usageRows(usage.data);
  const alertItems = Array.isArray(alerts.data) ? alerts.data : (alerts.data?.items ?? []);
  const recItems = Array.isArray(recs.data) ? recs.data : (recs.data?.items ?? []);
  const settings = useApi<UsageSettings>('/usage/settings');
  const quotas: Record<string, unknown> | Record<string, unknown>[] | undefined =
    settings.data ?? usage.data?.quotas ?? usage.data?.quota;
  const plan = settings.data ? planSummary(settings.data) : null;
  const templates = useApi<Schema<'TemplateList'>>(
    groupBy === 'template' ? '/session-templates' : null,
  );
  const templateNames = new Map((templates.data?.items ?? []).map((t) => [t.id, t.name]));
  const label = (r: (typeof rows)[number]) =>
    groupBy === 'template'
      ? r.key
        ? (templateNames.get(r.key) ?? r.key.slice(0, 8))
        : 'No template'
      : rowLabel(r);

  return (
    <>
      <PageHeader
        title="Usage"
        description="Minutes, tokens and cost by day, agent, model and template."
        actions={
          <select
            className={dash.input}
            aria-label="Period"
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
          >
            <option value={7}>Last 7 days</option>
            <option value={30}>Last 30 days</option>
            <option value={90}>Last 90 days</option>
          </select>
        }
      />
      <div className={dash.stack} data-testid="usage-page">
        {plan && (
          <Card title="Plan" testId="usage-plan">
            <p className={dash.row}>
              <Badge tone={plan.tone} testId="usage-plan-name">
                {plan.name}
              </Badge>
              <span>{plan.detail}</span>
            </p>
          </Card>
        )}
        {alertItems.length > 0 && (
          <Card title="Alerts" testId="usage-alerts">
            <div className={dash.stack} style={{ gap: 8 }}>
              {alertItems.map((a, i) => (
                <p key={i}>
                  <Badge tone="warning">alert</Badge> {alertText(a)}
                </p>
              ))}
            </div>
          </Card>
        )}
        {missing ? (
          <>
            <Notice testId="usage-unavailable">
              Detailed usage and cost are not available on this server yet. Session minutes below
              are counted from the session history.
            </Notice>
            <Card title="Session minutes per day">
              {sessions.data ? (
                <BarChart
                  title="Session minutes per day"
                  testId="usage-chart"
                  bars={minutesPerDay(sessions.data.items, Math.min(days, 30))}
                  format={(v) => `${v} min`}
                />
              ) : (
                <Loading />
              )}
            </Card>
          </>
        ) : (
          <>
            <ErrorBanner error={usage.error} />
            <div className={dash.tabs} role="tablist">
              {(['day', 'agent', 'model', 'template'] as const).map((g) => (
                <button
                  key={g}
                  type="button"
                  role="tab"
                  aria-selected={groupBy === g}
                  onClick={() => setGroupBy(g)}
                >
                  By {g}
                </button>
              ))}
            </div>
            {usage.loading && !usage.data ? (
              <Loading />
            ) : rows.length === 0 ? (
              <EmptyState
                title="No usage in this period"
                body="Usage appears once sessions have run."
              />
            ) : (
              <div className={dash.grid2}>
                <Card title="Minutes">
                  <BarChart
                    title={`Minutes by ${groupBy}`}
                    testId="usage-chart"
                    bars={rows.map((r) => ({
                      label: label(r),
                      value: Math.round(minutesOf(r) * 10) / 10,
                    }))}
                    format={(v) => `${v} min`}
                  />
                </Card>
                <Card title="Cost">
                  <BarChart
                    title={`Cost by ${groupBy}`}
                    bars={rows.map((r) => ({ label: label(r), value: costMicrosOf(r) }))}
                    format={(v) => formatCost(v)}
                  />
                </Card>
              </div>
            )}
          </>
        )}
        <Card title="Quotas">
          {quotas ? (
            <dl className={dash.grid3} data-testid="usage-quotas">
              {Object.entries(quotas)
                .filter(([, v]) => typeof v !== 'object' || v === null)
                .map(([k, v]) => (
                  <div key={k} className={dash.stat}>
                    <dt className={dash.muted}>{quotaLabel(k)}</dt>
                    <dd style={{ margin: 0, fontWeight: 600 }}>{quotaValue(k, v)}</dd>
                  </div>
                ))}
            </dl>
          ) : (
            <p className={dash.muted}>No quotas are set for this organization.</p>
          )}
        </Card>
        {recItems.length > 0 && (
          <Card title="Recommendations">
            <ul>
              {recItems.map((r, i) => (
                <li key={i}>{text(r)}</li>
              ))}
            </ul>
          </Card>
        )}
        <PriceTable isAdmin={org?.role === 'admin'} />
      </div>
    </>
  );
}
