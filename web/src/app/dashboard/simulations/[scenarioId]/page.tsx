'use client';

import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import {
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
import { RunButton } from '@/features/simulations/run-button';
import { RunBadge } from '@/features/simulations/run-result';
import { ScenarioForm } from '@/features/simulations/scenario-form';
import { criterionLabel, toForm } from '@/features/simulations/scenario-form-model';

export default function ScenarioPage() {
  const { scenarioId } = useParams<{ scenarioId: string }>();
  const router = useRouter();
  const scenario = useApi<Schema<'ScenarioRead'>>(`/simulations/scenarios/${scenarioId}`);
  const runs = useApi<Schema<'RunList'>>('/simulations/runs', {
    query: { scenario_id: scenarioId },
  });
  const templates = useApi<Schema<'TemplateList'>>('/session-templates');
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (!scenario.data || !templates.data) {
    const failed = scenario.error ?? templates.error;
    return failed ? <ErrorBanner error={failed} /> : <Loading />;
  }
  const current = scenario.data;
  const template = templates.data.items.find((t) => t.id === current.template_id);
  return (
    <>
      <PageHeader
        title={current.name}
        description={`Tests ${template?.name ?? 'a template'}${current.scenario.goal ? ` · goal: ${current.scenario.goal}` : ''}`}
        actions={
          <>
            <RunButton
              scenarioId={current.id}
              onDone={(run) => router.push(`/dashboard/simulations/runs/${run.id}`)}
            />
            <Button
              variant="secondary"
              onClick={() => setEditing((e) => !e)}
              data-testid="edit-scenario"
            >
              {editing ? 'Close editor' : 'Edit'}
            </Button>
            <Button variant="danger" onClick={() => setConfirm(true)}>
              Delete
            </Button>
          </>
        }
      />
      <div className={dash.stack}>
        <ErrorBanner error={error} />
        {saved && <Notice tone="success">Saved. The next run uses this version.</Notice>}
        {editing ? (
          <Card title="Edit scenario">
            <ScenarioForm
              initial={toForm(current.scenario)}
              templates={templates.data.items}
              submitLabel="Save scenario"
              onSubmit={async (body) => {
                await api(`/simulations/scenarios/${current.id}`, { method: 'PUT', json: body });
                setEditing(false);
                setSaved(true);
                scenario.reload();
              }}
            />
          </Card>
        ) : (
          <div className={dash.grid2} style={{ alignItems: 'start' }}>
            <Card title="The simulated user">
              {current.scenario.persona && <p>{current.scenario.persona}</p>}
              <ol data-testid="scenario-turns">
                {current.scenario.user.turns.map((t, i) => (
                  <li key={i}>{t}</li>
                ))}
              </ol>
              {current.scenario.user.persona_llm && (
                <p className={dash.muted}>
                  Played by {current.scenario.user.persona_llm} when its key is configured.
                </p>
              )}
            </Card>
            <Card title="Success criteria">
              <ul>
                {current.scenario.criteria.map((c, i) => (
                  <li key={i} className={dash.mono}>
                    {criterionLabel(c)}
                  </li>
                ))}
                {current.scenario.judge && <li>judge: {current.scenario.judge.intent}</li>}
              </ul>
              {Object.keys(current.scenario.mocks).length > 0 && (
                <p className={dash.muted}>
                  Mocked tools: {Object.keys(current.scenario.mocks).join(', ')}
                </p>
              )}
            </Card>
          </div>
        )}
        <Card title="Runs">
          {!runs.data ? (
            <Loading />
          ) : runs.data.items.length === 0 ? (
            <EmptyState
              title="Not run yet"
              body="Press Run: an agent worker runs it in text mode."
            />
          ) : (
            <DataTable columns={['Started', 'Verdict', 'Mode', 'Duration']}>
              {runs.data.items.map((r) => (
                <tr key={r.id} data-testid="run-row">
                  <td>
                    <Link href={`/dashboard/simulations/runs/${r.id}`}>
                      {formatDate(r.created_at)}
                    </Link>
                  </td>
                  <td>
                    <RunBadge run={r} />
                  </td>
                  <td>{r.mode}</td>
                  <td>{r.duration_ms != null ? `${Math.round(r.duration_ms)} ms` : '—'}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
      </div>
      <ConfirmDialog
        open={confirm}
        title="Delete this scenario?"
        body="Its runs are deleted with it."
        onCancel={() => setConfirm(false)}
        onConfirm={() =>
          void api(`/simulations/scenarios/${current.id}`, { method: 'DELETE' }).then(
            () => router.push('/dashboard/simulations'),
            (err: unknown) => {
              setConfirm(false);
              setError(err);
            },
          )
        }
      />
    </>
  );
}
