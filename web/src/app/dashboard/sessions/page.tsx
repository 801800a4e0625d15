'use client';

import Link from 'next/link';
import { useState } from 'react';
import {
  Badge,
  Card,
  DataTable,
  EmptyState,
  ErrorBanner,
  Loading,
  dash,
  formatDate,
  statusTone,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { formatSeconds } from '@/lib/format';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { LinkRow } from '@/components/ui/link-row';
import { useMemberEmails } from '@/features/members/member-emails';

type Session = Schema<'SessionRead'>;

export default function SessionsPage() {
  const active = useApi<Schema<'SessionList'>>('/sessions', {
    query: { status: 'active', limit: 50 },
    pollMs: 3000,
  });
  const templates = useApi<Schema<'TemplateList'>>('/session-templates');
  const [status, setStatus] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [since, setSince] = useState('');
  const [search, setSearch] = useState('');
  const [cursor, setCursor] = useState<string | null>(null);
  const history = useApi<Schema<'SessionList'>>('/sessions', {
    query: {
      status: status || undefined,
      template_id: templateId || undefined,
      since: since ? new Date(since).toISOString() : undefined,
      cursor: cursor ?? undefined,
      limit: 25,
    },
    pollMs: 10000,
  });
  const names = new Map((templates.data?.items ?? []).map((t) => [t.id, t.name]));
  const q = search.trim().toLowerCase();
  const rows = (history.data?.items ?? []).filter(
    (s) =>
      !q ||
      s.id.includes(q) ||
      (s.end_user_id ?? '').toLowerCase().includes(q) ||
      (names.get(s.template_id ?? '') ?? '').toLowerCase().includes(q),
  );

  return (
    <>
      <PageHeader
        title="Sessions"
        description="Live conversations, history, transcripts and replays."
      />
      <div className={dash.stack}>
        <Card
          title={
            <span className={dash.row}>
              Active now{' '}
              <Badge tone="success" testId="active-count">
                {active.data?.items.length ?? 0}
              </Badge>
            </span>
          }
          actions={<span className={dash.muted}>Refreshes every 3 s</span>}
          testId="active-sessions"
        >
          {(active.data?.items.length ?? 0) === 0 ? (
            <p className={dash.muted}>No conversation is running right now.</p>
          ) : (
            <SessionTable sessions={active.data?.items ?? []} names={names} />
          )}
        </Card>
        <Card title="History" testId="session-history">
          <div className={dash.toolbar}>
            <input
              className={dash.input}
              type="search"
              aria-label="Search sessions"
              placeholder="Search id, user or template"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            <select
              className={dash.input}
              aria-label="Status"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value);
                setCursor(null);
              }}
            >
              <option value="">Any status</option>
              {['created', 'active', 'completed', 'failed', 'abandoned'].map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            <select
              className={dash.input}
              aria-label="Template"
              value={templateId}
              onChange={(e) => {
                setTemplateId(e.target.value);
                setCursor(null);
              }}
            >
              <option value="">All templates</option>
              {(templates.data?.items ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            <input
              className={dash.input}
              type="date"
              aria-label="Since"
              value={since}
              onChange={(e) => {
                setSince(e.target.value);
                setCursor(null);
              }}
            />
          </div>
          <ErrorBanner error={history.error} />
          {history.loading && !history.data ? (
            <Loading />
          ) : rows.length === 0 ? (
            <EmptyState
              title="No sessions found"
              body="Start one from a template with “Test this template”."
            />
          ) : (
            <SessionTable sessions={rows} names={names} />
          )}
          <div className={dash.row} style={{ justifyContent: 'flex-end', marginTop: 12 }}>
            {cursor && (
              <button type="button" className={dash.linkish} onClick={() => setCursor(null)}>
                Newest
              </button>
            )}
            {history.data?.next_cursor && (
              <button
                type="button"
                className={dash.linkish}
                onClick={() => setCursor(history.data?.next_cursor ?? null)}
              >
                Older →
              </button>
            )}
          </div>
        </Card>
      </div>
    </>
  );
}

function SessionTable({ sessions, names }: { sessions: Session[]; names: Map<string, string> }) {
  const emails = useMemberEmails();
  return (
    <DataTable columns={['Session', 'Template', 'Status', 'Started', 'Duration']}>
      {sessions.map((s) => (
        <LinkRow
          key={s.id}
          href={`/dashboard/sessions/${s.id}`}
          data-testid="session-row"
          data-session-id={s.id}
        >
          <td>
            <Link href={`/dashboard/sessions/${s.id}`} className={dash.mono}>
              {s.id.slice(0, 8)}
            </Link>
            {s.end_user_id && (
              <div className={dash.muted} data-testid="session-user">
                {emails.get(s.end_user_id) ?? s.end_user_id}
              </div>
            )}
          </td>
          <td className={dash.muted}>{names.get(s.template_id ?? '') ?? '—'}</td>
          <td>
            <Badge tone={statusTone(s.status)}>{s.status}</Badge>
          </td>
          <td className={dash.muted}>{formatDate(s.started_at ?? s.created_at)}</td>
          <td className={dash.muted}>{formatSeconds(s.duration_seconds)}</td>
        </LinkRow>
      ))}
    </DataTable>
  );
}
