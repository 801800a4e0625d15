'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
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
import { ButtonLink } from '@/components/ui/button';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { LinkRow } from '@/components/ui/link-row';

type Agent = Schema<'AgentRead'>;

export default function AgentsPage() {
  const agents = useApi<Schema<'AgentList'>>('/agents');
  const [query, setQuery] = useState('');
  const [llm, setLlm] = useState('');
  const [view, setView] = useState<'table' | 'cards'>('table');
  const items = useMemo(() => agents.data?.items ?? [], [agents.data]);
  const llms = useMemo(() => [...new Set(items.map((a) => a.llm).filter(Boolean))], [items]);
  const shown = items.filter((a) => {
    const q = query.trim().toLowerCase();
    const matches =
      !q ||
      a.name.toLowerCase().includes(q) ||
      a.slug.includes(q) ||
      a.instructions.toLowerCase().includes(q);
    return matches && (!llm || a.llm === llm);
  });

  return (
    <>
      <PageHeader
        title="Agents"
        description="Create and version agents: instructions, voices, models and tools."
        actions={
          <ButtonLink href="/dashboard/agents/new" data-testid="new-agent">
            New agent
          </ButtonLink>
        }
      />
      <ErrorBanner error={agents.error} />
      {agents.loading && !agents.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState
          title="No agents yet"
          body="Start from a blank agent or one of the starter templates."
          action={<ButtonLink href="/dashboard/agents/new">Create your first agent</ButtonLink>}
        />
      ) : (
        <>
          <div className={dash.toolbar}>
            <input
              className={dash.input}
              type="search"
              placeholder="Search name, slug or instructions"
              aria-label="Search agents"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              data-testid="agent-search"
            />
            <select
              className={dash.input}
              aria-label="Filter by model"
              value={llm}
              onChange={(e) => setLlm(e.target.value)}
            >
              <option value="">All models</option>
              {llms.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
            <span style={{ flex: 1 }} />
            <span className={dash.segmented} role="group" aria-label="View">
              <button
                type="button"
                aria-pressed={view === 'table'}
                onClick={() => setView('table')}
              >
                Table
              </button>
              <button
                type="button"
                aria-pressed={view === 'cards'}
                onClick={() => setView('cards')}
              >
                Cards
              </button>
            </span>
          </div>
          {shown.length === 0 ? (
            <EmptyState title="No matching agents" body="Try another search or filter." />
          ) : view === 'table' ? (
            <DataTable
              columns={['Agent', 'Models', 'Handoffs', 'Version', 'Updated']}
              testId="agents-table"
            >
              {shown.map((a) => (
                <LinkRow key={a.id} href={`/dashboard/agents/${a.id}`} data-testid="agent-row">
                  <td>
                    <Link href={`/dashboard/agents/${a.id}`}>{a.name}</Link>
                    <div className={dash.mono}>{a.slug}</div>
                  </td>
                  <td className={dash.muted}>
                    {[a.stt, a.llm, a.tts].filter(Boolean).join(' · ') || 'Defaults'}
                  </td>
                  <td>
                    <Handoffs agent={a} />
                  </td>
                  <td>
                    <Badge>v{a.version}</Badge>
                  </td>
                  <td className={dash.muted}>{formatDate(a.updated_at)}</td>
                </LinkRow>
              ))}
            </DataTable>
          ) : (
            <div className={dash.grid3}>
              {shown.map((a) => (
                <Link
                  key={a.id}
                  href={`/dashboard/agents/${a.id}`}
                  className={dash.card}
                  style={{ color: 'inherit', display: 'flex', flexDirection: 'column', gap: 8 }}
                >
                  <strong>{a.name}</strong>
                  <span className={dash.mono}>{a.slug}</span>
                  <span className={dash.muted} style={{ minHeight: 40 }}>
                    {a.instructions.slice(0, 120)}
                    {a.instructions.length > 120 ? '…' : ''}
                  </span>
                  <span className={dash.row}>
                    <Badge>v{a.version}</Badge>
                    {a.llm && <Badge tone="accent">{a.llm}</Badge>}
                    <Handoffs agent={a} />
                  </span>
                </Link>
              ))}
            </div>
          )}
        </>
      )}
    </>
  );
}

function Handoffs({ agent }: { agent: Agent }) {
  const list = agent.handoffs ?? [];
  if (list.length === 0) return <span className={dash.muted}>—</span>;
  return (
    <span className={dash.row} style={{ gap: 4 }}>
      {list.map((h) => (
        <Badge key={h.agent}>→ {h.agent}</Badge>
      ))}
    </span>
  );
}
