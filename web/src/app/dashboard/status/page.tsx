'use client';

import { Badge, Card, ErrorBanner, Loading, dash } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { ApiError } from '@/lib/api/api-error';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

const LABELS: Record<string, string> = {
  postgres: 'PostgreSQL',
  database: 'PostgreSQL',
  db: 'PostgreSQL',
  redis: 'Redis',
  livekit: 'LiveKit',
};

export default function StatusPage() {
  const ready = useApi<Schema<'Readiness'>>('/readyz', { pollMs: 10000 });
  // readyz answers 503 with the same body when something is down.
  const body =
    ready.data ??
    (ready.error instanceof ApiError
      ? (ready.error.details as Schema<'Readiness'> | undefined)
      : undefined);
  const checks = body && typeof body === 'object' && 'checks' in body ? body.checks : undefined;
  const ok = body?.status === 'ok';
  return (
    <>
      <PageHeader
        title="Status"
        description="Health of the services Troupe depends on. Refreshes every 10 s."
      />
      <div className={dash.stack}>
        {!checks &&
          (ready.loading ? (
            <Loading />
          ) : (
            <ErrorBanner error={ready.error} title="The API is not reachable" />
          ))}
        {checks && (
          <>
            <Card testId="status-overall">
              <span className={dash.row}>
                <Badge tone={ok ? 'success' : 'danger'} testId="status-overall-badge">
                  {ok ? 'All systems operational' : 'Degraded'}
                </Badge>
              </span>
            </Card>
            <div className={dash.grid3}>
              {Object.entries(checks).map(([name, check]) => (
                <Card key={name} testId={`status-${name}`}>
                  <div className={dash.stack} style={{ gap: 8 }}>
                    <span className={dash.row} style={{ justifyContent: 'space-between' }}>
                      <strong>{LABELS[name] ?? name}</strong>
                      <Badge tone={check.status === 'ok' ? 'success' : 'danger'}>
                        {check.status === 'ok' ? 'Healthy' : 'Down'}
                      </Badge>
                    </span>
                    <span className={dash.muted}>{Math.round(check.latency_ms)} ms</span>
                    {check.error && <span className={dash.error}>{check.error}</span>}
                  </div>
                </Card>
              ))}
            </div>
          </>
        )}
      </div>
    </>
  );
}
