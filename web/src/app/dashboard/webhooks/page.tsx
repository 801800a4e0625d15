'use client';

import Link from 'next/link';
import { useState } from 'react';
import { SecretReveal } from '@/components/ui/secret-reveal';
import { WebhookEndpointForm } from '@/features/webhooks/webhook-endpoint-form';
import {
  Badge,
  Card,
  EmptyState,
  ErrorBanner,
  Loading,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { api, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

export default function WebhooksPage() {
  const endpoints = useApi<Schema<'EndpointList'>>('/webhook-endpoints');
  const [created, setCreated] = useState<Schema<'EndpointRead'> | null>(null);
  const [formKey, setFormKey] = useState(0);

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed POSTs to your servers when sessions start and end and analyses complete."
      />
      <div className={dash.stack}>
        <ErrorBanner error={endpoints.error} />
        <div className={dash.grid2} style={{ alignItems: 'start' }}>
          <Card title="New endpoint">
            {created?.secret ? (
              <SecretReveal
                label={`Endpoint created. Verify each request's signature with this secret.`}
                secret={created.secret}
                onDismiss={() => setCreated(null)}
                testId="endpoint-secret"
              />
            ) : (
              <WebhookEndpointForm
                key={formKey}
                submitLabel="Create endpoint"
                onSubmit={async (values) => {
                  const answer = await api<Schema<'EndpointRead'>>('/webhook-endpoints', {
                    method: 'POST',
                    json: values,
                  });
                  setCreated(answer);
                  setFormKey((k) => k + 1);
                  endpoints.reload();
                }}
              />
            )}
          </Card>
          <Card title="Endpoints">
            {endpoints.loading && !endpoints.data ? (
              <Loading />
            ) : (endpoints.data?.items ?? []).length === 0 ? (
              <EmptyState title="No endpoints yet" body="Add one to receive session events." />
            ) : (
              <ul className={dash.stack} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {(endpoints.data?.items ?? []).map((ep) => (
                  <li key={ep.id} data-testid="endpoint-row">
                    <div className={dash.row}>
                      <Link href={`/dashboard/webhooks/${ep.id}`} className={dash.mono}>
                        {ep.url}
                      </Link>
                      {ep.enabled ? (
                        <Badge tone="success">enabled</Badge>
                      ) : (
                        <Badge tone="warning">disabled</Badge>
                      )}
                    </div>
                    <div className={dash.muted}>
                      {ep.events.join(', ')} · created {formatDate(ep.created_at)}
                      {ep.description ? ` · ${ep.description}` : ''}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
