'use client';

import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { Card, ErrorBanner, Loading, dash, formatDate } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { RunButton } from '@/features/simulations/run-button';
import {
  CriteriaTable,
  RunBadge,
  RunDiffCard,
  Transcript,
} from '@/features/simulations/run-result';
import styles from '@/features/simulations/simulations.module.css';

export default function RunPage() {
  const { runId } = useParams<{ runId: string }>();
  const router = useRouter();
  const run = useApi<Schema<'RunRead'>>(`/simulations/runs/${runId}`, { pollMs: 2000 });
  const completed = run.data?.status === 'completed';
  const diff = useApi<Schema<'RunDiff'>>(completed ? `/simulations/runs/${runId}/diff` : null);

  if (!run.data) return run.error ? <ErrorBanner error={run.error} /> : <Loading />;
  const current = run.data;
  const result = current.result;
  return (
    <>
      <PageHeader
        title={current.scenario.name}
        description={`Run of ${formatDate(current.created_at)} · ${current.mode} mode`}
        actions={
          <RunButton
            scenarioId={current.scenario_id}
            onDone={(next) => router.push(`/dashboard/simulations/runs/${next.id}`)}
          />
        }
      />
      <div className={dash.stack}>
        <Card title="Verdict" testId="run-summary">
          <p className={dash.row}>
            <span className={styles.verdict}>
              <RunBadge run={current} />
            </span>
            {result && (
              <span className={dash.muted}>
                {result.user_turns} user turn(s) · {Math.round(result.duration_ms)} ms
                {result.finished ? '' : ' · did not finish'}
              </span>
            )}
            <Link href={`/dashboard/simulations/${current.scenario_id}`}>Scenario</Link>
          </p>
          {!completed && (
            <p className={dash.muted} role="status">
              {current.status === 'queued'
                ? 'Queued, waiting for an agent worker…'
                : 'An agent worker is running it…'}
            </p>
          )}
          {result?.error && <ErrorBanner error={result.error} title="The run could not happen" />}
          {result && <CriteriaTable criteria={result.criteria} />}
        </Card>
        {result && (
          <Card title="Transcript">
            <Transcript result={result} />
          </Card>
        )}
        {diff.data && <RunDiffCard diff={diff.data} />}
      </div>
    </>
  );
}
