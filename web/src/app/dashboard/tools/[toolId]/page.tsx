'use client';

import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import {
  Badge,
  Card,
  ConfirmDialog,
  ErrorBanner,
  Loading,
  Notice,
  dash,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { ToolForm } from '@/features/tools/tool-form';
import { toToolBody } from '@/features/tools/tool-validation';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

export default function ToolPage() {
  const { toolId } = useParams<{ toolId: string }>();
  const router = useRouter();
  const tool = useApi<Schema<'ToolRead'>>(`/tools/${toolId}`);
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [confirm, setConfirm] = useState(false);

  if (!tool.data) return tool.error ? <ErrorBanner error={tool.error} /> : <Loading />;
  const current = tool.data;
  return (
    <>
      <PageHeader
        title={current.name}
        description={current.description}
        actions={
          <Button variant="danger" onClick={() => setConfirm(true)}>
            Delete
          </Button>
        }
      />
      <div className={dash.stack}>
        {saved && <Notice tone="success">Tool saved.</Notice>}
        <DryRun toolId={toolId} />
        <ToolForm
          key={current.updated_at ?? ''}
          initial={current}
          serverErrors={problems}
          submitError={error}
          onSubmit={async (values) => {
            setError(null);
            setProblems({});
            setSaved(false);
            try {
              await api(`/tools/${toolId}`, { method: 'PATCH', json: toToolBody(values) });
              setSaved(true);
              tool.reload();
            } catch (e) {
              setProblems(fieldProblems(e));
              setError(e);
            }
          }}
        />
      </div>
      <ConfirmDialog
        open={confirm}
        title={`Delete ${current.name}?`}
        body="Agents using this tool must drop it first."
        onCancel={() => setConfirm(false)}
        onConfirm={async () => {
          try {
            await api(`/tools/${toolId}`, { method: 'DELETE' });
            router.push('/dashboard/tools');
          } catch (e) {
            setError(e);
            setConfirm(false);
          }
        }}
      />
    </>
  );
}

function DryRun({ toolId }: { toolId: string }) {
  const [args, setArgs] = useState('{}');
  const [result, setResult] = useState<Schema<'DryRunResult'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function run() {
    setError(null);
    setResult(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(args);
    } catch {
      setError('The arguments are not valid JSON.');
      return;
    }
    setBusy(true);
    try {
      setResult(
        await api<Schema<'DryRunResult'>>(`/tools/${toolId}/dry-run`, {
          method: 'POST',
          json: { arguments: parsed },
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      title="Dry run"
      actions={
        <Button size="sm" onClick={() => void run()} disabled={busy} data-testid="dry-run">
          {busy ? 'Calling…' : 'Send test request'}
        </Button>
      }
    >
      <div className={dash.split}>
        <textarea
          className={dash.input}
          aria-label="Dry-run arguments (JSON)"
          value={args}
          onChange={(e) => setArgs(e.target.value)}
        />
        <div data-testid="dry-run-result">
          <ErrorBanner error={error} />
          {result ? (
            <div className={dash.stack} style={{ gap: 8 }}>
              <span className={dash.row}>
                <Badge tone={result.ok ? 'success' : 'danger'}>{result.ok ? 'OK' : 'Failed'}</Badge>
                {result.status_code != null && <Badge>HTTP {result.status_code}</Badge>}
                {result.latency_ms != null && <Badge>{Math.round(result.latency_ms)} ms</Badge>}
              </span>
              {result.error && <ErrorBanner error={result.error} />}
              {result.response_body && <pre className={dash.pre}>{result.response_body}</pre>}
            </div>
          ) : (
            !error && <p className={dash.muted}>The response appears here.</p>
          )}
        </div>
      </div>
    </Card>
  );
}
