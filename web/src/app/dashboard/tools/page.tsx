'use client';

import Link from 'next/link';
import { useState } from 'react';
import {
  Badge,
  DataTable,
  EmptyState,
  ErrorBanner,
  Loading,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { NO_USAGE, usageCells } from '@/features/tools/tool-usage';
import { ButtonLink } from '@/components/ui/button';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

const KINDS = ['', 'webhook', 'builtin', 'panel', 'handoff'] as const;

export default function ToolsPage() {
  const [kind, setKind] = useState<(typeof KINDS)[number]>('');
  const [query, setQuery] = useState('');
  const tools = useApi<Schema<'ToolList'>>('/tools', { query: { kind: kind || undefined } });
  const usage = useApi<Schema<'ToolUsageList'>>('/tools/usage');
  const cells = usageCells(usage.data?.items);
  const items = (tools.data?.items ?? []).filter(
    (t) => !query || `${t.name} ${t.description}`.toLowerCase().includes(query.toLowerCase()),
  );
  return (
    <>
      <PageHeader
        title="Tools"
        description="Built-in, panel and handoff tools, and your own webhooks."
        actions={
          <ButtonLink href="/dashboard/tools/new" data-testid="new-tool">
            New webhook tool
          </ButtonLink>
        }
      />
      <ErrorBanner error={tools.error} />
      <div className={dash.toolbar}>
        <input
          className={dash.input}
          type="search"
          aria-label="Search tools"
          placeholder="Search tools"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className={dash.segmented} role="group" aria-label="Kind">
          {KINDS.map((k) => (
            <button key={k} type="button" aria-pressed={kind === k} onClick={() => setKind(k)}>
              {k || 'All'}
            </button>
          ))}
        </span>
      </div>
      {tools.loading && !tools.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState
          title="No tools here"
          body="Webhook tools let agents call your own services."
          action={<ButtonLink href="/dashboard/tools/new">Create a webhook tool</ButtonLink>}
        />
      ) : (
        <DataTable
          columns={['Tool', 'Kind', 'Description', 'Used by', 'Calls', 'Errors', 'Avg latency']}
          testId="tools-table"
        >
          {items.map((t) => {
            const u = cells.get(t.name) ?? NO_USAGE;
            return (
              <tr key={`${t.kind}-${t.name}`}>
                <td>
                  {t.kind === 'webhook' && t.id ? (
                    <Link href={`/dashboard/tools/${t.id}`}>{t.name}</Link>
                  ) : (
                    <span className={dash.mono}>{t.name}</span>
                  )}
                  {t.url && <div className={dash.mono}>{`${t.method} ${t.url}`}</div>}
                </td>
                <td>
                  <Badge tone={t.kind === 'webhook' ? 'accent' : undefined}>{t.kind}</Badge>
                </td>
                <td className={dash.muted}>{t.description}</td>
                <td className={dash.muted}>{(t.agents ?? []).join(', ') || '—'}</td>
                <td
                  title={u.lastCalled ? `Last called ${formatDate(u.lastCalled)}` : 'Never called'}
                >
                  {u.calls}
                </td>
                <td>{u.errors}</td>
                <td>{u.latency}</td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </>
  );
}
