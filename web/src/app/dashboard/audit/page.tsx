'use client';

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
import { Button } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { useMemberEmails } from '@/features/members/member-emails';

type AuditEvent = Schema<'AuditEventRead'>;

// The API's AuditAction values, offered as suggestions (the filter is an exact match).
const ACTIONS = [
  'user.registered',
  'auth.login_succeeded',
  'auth.login_failed',
  'auth.logout',
  'auth.logout_all',
  'auth.refresh_reuse_detected',
  'user.password_changed',
  'auth.oauth_linked',
  'api_key.created',
  'api_key.revoked',
  'member.role_changed',
  'member.removed',
  'invitation.created',
  'invitation.revoked',
  'invitation.accepted',
];

function AuditList({ action }: { action: string }) {
  const emails = useMemberEmails();
  const first = useApi<Schema<'AuditEventList'>>('/audit-events', {
    query: { action: action || undefined, limit: 50 },
  });
  const [older, setOlder] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const next = cursor === undefined ? first.data?.next_cursor : cursor;
  const items = [...(first.data?.items ?? []), ...older];

  async function loadOlder() {
    if (!next) return;
    setLoading(true);
    setError(null);
    try {
      const page = await api<Schema<'AuditEventList'>>('/audit-events', {
        query: { action: action || undefined, cursor: next, limit: 50 },
      });
      setOlder((prev) => [...prev, ...page.items]);
      setCursor(page.next_cursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }

  if (first.loading && !first.data) return <Loading />;
  return (
    <>
      <ErrorBanner error={first.error ?? error} />
      {items.length === 0 ? (
        <EmptyState
          title="No events"
          body={action ? `Nothing with action ${action}.` : undefined}
        />
      ) : (
        <DataTable columns={['When', 'Action', 'Actor', 'IP', 'Details']} testId="audit-table">
          {items.map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <td className={dash.muted}>{formatDate(e.created_at)}</td>
              <td>
                <Badge tone="accent">{e.action}</Badge>
              </td>
              <td className={dash.mono}>
                {e.api_key_id
                  ? `key ${e.api_key_id.slice(0, 8)}`
                  : e.user_id
                    ? (emails.get(e.user_id) ?? e.user_id.slice(0, 8))
                    : '—'}
              </td>
              <td className={dash.mono}>{e.ip ?? '—'}</td>
              <td className={dash.mono} style={{ maxWidth: 420, overflowWrap: 'anywhere' }}>
                {Object.keys(e.details).length ? JSON.stringify(e.details) : '—'}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {next && (
        <Button variant="secondary" onClick={() => void loadOlder()} disabled={loading}>
          {loading ? 'Loading…' : 'Older events'}
        </Button>
      )}
    </>
  );
}

export default function AuditPage() {
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState('');
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Sign-ins, key and member changes, and other security events, newest first."
      />
      <form
        className={dash.toolbar}
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(action.trim());
        }}
      >
        <input
          className={dash.input}
          type="search"
          aria-label="Filter by action"
          placeholder="Action, e.g. api_key.created"
          value={action}
          maxLength={64}
          list="audit-actions"
          style={{ minWidth: 300 }}
          onChange={(e) => setAction(e.target.value)}
        />
        <datalist id="audit-actions">
          {ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <Button type="submit" variant="secondary">
          Filter
        </Button>
        {applied && (
          <Button
            variant="ghost"
            onClick={() => {
              setAction('');
              setApplied('');
            }}
          >
            Clear
          </Button>
        )}
      </form>
      <AuditList key={applied} action={applied} />
    </>
  );
}
