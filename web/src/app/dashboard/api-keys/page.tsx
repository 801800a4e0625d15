'use client';

import { useState } from 'react';
import { ApiKeyForm } from '@/features/api-keys/api-key-form';
import { SecretReveal } from '@/components/ui/secret-reveal';
import {
  Badge,
  Card,
  ConfirmDialog,
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

export default function ApiKeysPage() {
  const keys = useApi<Schema<'ApiKeyList'>>('/api-keys');
  const [created, setCreated] = useState<Schema<'ApiKeyCreated'> | null>(null);
  const [revoking, setRevoking] = useState<Schema<'ApiKeyRead'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now] = useState(() => Date.now());

  return (
    <>
      <PageHeader
        title="API keys"
        description="Bearer keys for your servers: create sessions, read transcripts and usage."
      />
      <div className={dash.stack}>
        <ErrorBanner error={keys.error ?? error} />
        <Card title="New key">
          {created ? (
            <SecretReveal
              label={`Key ${created.name} created.`}
              secret={created.key}
              onDismiss={() => setCreated(null)}
              testId="api-key-secret"
            />
          ) : (
            <ApiKeyForm
              onCreated={(key) => {
                setCreated(key);
                keys.reload();
              }}
            />
          )}
        </Card>
        <Card title="Keys">
          {keys.loading && !keys.data ? (
            <Loading />
          ) : (keys.data?.items ?? []).length === 0 ? (
            <EmptyState title="No API keys yet" body="Create one above for your backend." />
          ) : (
            <DataTable
              columns={['Name', 'Prefix', 'Scopes', 'Created', 'Last used', 'State']}
              actions
              testId="api-keys-table"
            >
              {(keys.data?.items ?? []).map((k) => {
                const expired = k.expires_at && new Date(k.expires_at).getTime() < now;
                return (
                  <tr key={k.id} data-testid="api-key-row">
                    <td>
                      <strong>{k.name}</strong>
                    </td>
                    <td className={dash.mono}>tk_{k.prefix}_…</td>
                    <td>
                      <span className={dash.chips}>
                        {k.scopes.map((s) => (
                          <Badge key={s}>{s}</Badge>
                        ))}
                      </span>
                    </td>
                    <td className={dash.muted}>{formatDate(k.created_at)}</td>
                    <td className={dash.muted}>{formatDate(k.last_used_at)}</td>
                    <td>
                      {k.revoked_at ? (
                        <Badge tone="danger">revoked</Badge>
                      ) : expired ? (
                        <Badge tone="warning">expired</Badge>
                      ) : (
                        <Badge tone="success">active</Badge>
                      )}
                    </td>
                    <td>
                      {!k.revoked_at && (
                        <Button variant="ghost" size="sm" onClick={() => setRevoking(k)}>
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          )}
        </Card>
      </div>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ''}?`}
        body="Requests with this key fail from now on. This cannot be undone."
        confirmLabel="Revoke"
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          const target = revoking;
          setRevoking(null);
          setError(null);
          if (!target) return;
          try {
            await api(`/api-keys/${target.id}`, { method: 'DELETE' });
          } catch (err) {
            setError(err);
          }
          keys.reload();
        }}
      />
    </>
  );
}
