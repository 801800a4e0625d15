'use client';

import { useState } from 'react';
import {
  Badge,
  Card,
  DataTable,
  ErrorBanner,
  Loading,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

type Agent = Schema<'AgentRead'>;

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

export function AgentVersions({
  agent,
  onRolledBack,
}: {
  agent: Agent;
  onRolledBack: (version: number) => void;
}) {
  const versions = useApi<Schema<'AgentVersionList'>>(`/agents/${agent.id}/versions`);
  const [selected, setSelected] = useState<number | null>(null);
  const diff = useApi<Schema<'AgentVersionDiff'>>(
    selected === null ? null : `/agents/${agent.id}/diff`,
    { query: { from: selected ?? undefined, to: agent.version } },
  );
  const [error, setError] = useState<unknown>(null);

  async function rollback(version: number) {
    setError(null);
    try {
      await api(`/agents/${agent.id}/rollback`, { method: 'POST', json: { version } });
      setSelected(null);
      versions.reload();
      onRolledBack(version);
    } catch (e) {
      setError(e);
    }
  }

  if (!versions.data) return versions.error ? <ErrorBanner error={versions.error} /> : <Loading />;
  const items = [...versions.data.items].sort((a, b) => b.version - a.version);
  return (
    <div className={dash.stack}>
      <ErrorBanner error={error} />
      <DataTable columns={['Version', 'Saved', 'Name']} actions testId="versions-table">
        {items.map((v) => (
          <tr key={v.version}>
            <td>
              <Badge tone={v.version === agent.version ? 'success' : undefined}>
                v{v.version}
                {v.version === agent.version ? ' · current' : ''}
              </Badge>
            </td>
            <td className={dash.muted}>{formatDate(v.created_at)}</td>
            <td>{v.snapshot.name}</td>
            <td style={{ textAlign: 'right' }}>
              {v.version !== agent.version && (
                <span className={dash.row} style={{ justifyContent: 'flex-end' }}>
                  <Button size="sm" variant="ghost" onClick={() => setSelected(v.version)}>
                    Compare with current
                  </Button>
                  <Button size="sm" variant="secondary" onClick={() => void rollback(v.version)}>
                    Roll back
                  </Button>
                </span>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {selected !== null && (
        <Card title={`Changes from v${selected} to v${agent.version}`} testId="version-diff">
          {diff.loading && !diff.data ? (
            <Loading />
          ) : diff.data?.changes.length === 0 ? (
            <p className={dash.muted}>No differences.</p>
          ) : (
            <div className={dash.stack}>
              {diff.data?.changes.map((c) => (
                <div key={c.field}>
                  <strong className={dash.mono}>{c.field}</strong>
                  <div className={dash.split}>
                    <pre className={dash.pre} style={{ borderColor: 'var(--color-danger)' }}>
                      − {show(c.before)}
                    </pre>
                    <pre className={dash.pre} style={{ borderColor: 'var(--color-success)' }}>
                      + {show(c.after)}
                    </pre>
                  </div>
                </div>
              ))}
            </div>
          )}
        </Card>
      )}
    </div>
  );
}
