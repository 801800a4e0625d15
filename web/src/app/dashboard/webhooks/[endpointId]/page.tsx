'use client';

import { useParams, useRouter } from 'next/navigation';
import { Fragment, useState } from 'react';
import { SecretReveal } from '@/components/ui/secret-reveal';
import { WebhookEndpointForm } from '@/features/webhooks/webhook-endpoint-form';
import {
  Badge,
  Card,
  ConfirmDialog,
  DataTable,
  EmptyState,
  ErrorBanner,
  Loading,
  Notice,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

const STATUS_TONE = { succeeded: 'success', failed: 'danger', pending: 'warning' } as const;

export default function WebhookEndpointPage() {
  const { endpointId } = useParams<{ endpointId: string }>();
  const router = useRouter();
  const endpoint = useApi<Schema<'EndpointRead'>>(`/webhook-endpoints/${endpointId}`);
  const deliveries = useApi<Schema<'DeliveryList'>>(`/webhook-endpoints/${endpointId}/deliveries`, {
    pollMs: 5000,
  });
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [open, setOpen] = useState<string | null>(null);

  if (!endpoint.data) {
    return endpoint.error ? <ErrorBanner error={endpoint.error} /> : <Loading />;
  }
  const current = endpoint.data;

  async function rotate() {
    setError(null);
    try {
      const answer = await api<Schema<'EndpointRead'>>(`/webhook-endpoints/${endpointId}`, {
        method: 'PATCH',
        json: { rotate_secret: true },
      });
      setSecret(answer.secret ?? null);
    } catch (err) {
      setError(err);
    }
  }

  async function redeliver(id: string) {
    setError(null);
    setNotice(null);
    try {
      await api(`/webhook-endpoints/${endpointId}/deliveries/${id}/redeliver`, { method: 'POST' });
      setNotice('Redelivery queued.');
      deliveries.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <PageHeader
        title="Webhook endpoint"
        description={current.url}
        actions={
          <>
            <Button variant="secondary" onClick={() => void rotate()}>
              Rotate secret
            </Button>
            <Button variant="danger" onClick={() => setConfirm(true)}>
              Delete
            </Button>
          </>
        }
      />
      <div className={dash.stack}>
        <ErrorBanner error={error} />
        {notice && <Notice tone="success">{notice}</Notice>}
        {secret && (
          <SecretReveal
            label="New signing secret issued; the old one no longer signs."
            secret={secret}
            onDismiss={() => setSecret(null)}
            testId="endpoint-secret"
          />
        )}
        <Card title="Settings">
          <WebhookEndpointForm
            key={current.updated_at}
            initial={current}
            submitLabel="Save endpoint"
            onSubmit={async (values) => {
              await api(`/webhook-endpoints/${endpointId}`, { method: 'PATCH', json: values });
              setNotice('Endpoint saved.');
              endpoint.reload();
            }}
          />
        </Card>
        <Card title="Deliveries" testId="deliveries-card">
          {(deliveries.data?.items ?? []).length === 0 ? (
            <EmptyState
              title="No deliveries yet"
              body="Events appear here as sessions start and end."
            />
          ) : (
            <DataTable
              columns={['Event', 'Status', 'Attempts', 'Last answer', 'Created']}
              actions
              testId="deliveries-table"
            >
              {(deliveries.data?.items ?? []).map((d) => (
                <Fragment key={d.id}>
                  <tr data-testid="delivery-row">
                    <td>
                      <button
                        type="button"
                        className={dash.linkish}
                        aria-expanded={open === d.id}
                        onClick={() => setOpen(open === d.id ? null : d.id)}
                      >
                        {d.event_type}
                      </button>
                      <div className={dash.mono}>{d.event_id}</div>
                    </td>
                    <td>
                      <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                    </td>
                    <td>{d.attempts}</td>
                    <td className={dash.muted}>
                      {d.last_status_code ?? d.last_error ?? '—'}
                      {d.next_retry_at && <div>retry {formatDate(d.next_retry_at)}</div>}
                    </td>
                    <td className={dash.muted}>{formatDate(d.created_at)}</td>
                    <td>
                      <Button size="sm" variant="ghost" onClick={() => void redeliver(d.id)}>
                        Redeliver
                      </Button>
                    </td>
                  </tr>
                  {open === d.id && (
                    <tr>
                      <td colSpan={6}>
                        <pre className={dash.pre}>{JSON.stringify(d.payload, null, 2)}</pre>
                        {d.response_excerpt && <pre className={dash.pre}>{d.response_excerpt}</pre>}
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </DataTable>
          )}
        </Card>
      </div>
      <ConfirmDialog
        open={confirm}
        title="Delete this endpoint?"
        body="No more events are sent to it; its delivery log is deleted."
        onCancel={() => setConfirm(false)}
        onConfirm={async () => {
          try {
            await api(`/webhook-endpoints/${endpointId}`, { method: 'DELETE' });
            router.push('/dashboard/webhooks');
          } catch (err) {
            setError(err);
            setConfirm(false);
          }
        }}
      />
    </>
  );
}
