'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState } from 'react';
import {
  Badge,
  Card,
  EmptyState,
  ErrorBanner,
  Loading,
  SelectField,
  dash,
} from '@/components/ui/kit';
import { ExperimentEditor } from '@/features/experiments/experiment-editor';
import { ExperimentResults } from '@/features/experiments/experiment-results';
import { PageHeader } from '@/components/shell/page-header';
import { ButtonLink } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

type Config = Schema<'ExperimentConfig'>;

function ExperimentDetail({ templateId, onSaved }: { templateId: string; onSaved: () => void }) {
  const config = useApi<Config>(`/session-templates/${templateId}/experiment`);
  const results = useApi<Schema<'ExperimentResults'>>(
    `/session-templates/${templateId}/experiment/results`,
    { pollMs: 15000 },
  );
  const sets = useApi<Schema<'AgentSetList'>>('/agent-sets');
  const [saved, setSaved] = useState(false);
  if (!config.data || !sets.data) {
    const failed = config.error ?? sets.error;
    return failed ? <ErrorBanner error={failed} /> : <Loading />;
  }
  return (
    <div className={dash.stack}>
      <Card title="Comparison of arms" testId="experiment-comparison">
        <ErrorBanner error={results.error} />
        {results.data ? (
          <>
            <p className={dash.muted}>
              {results.data.sessions} {results.data.sessions === 1 ? 'session' : 'sessions'} in this
              experiment. Success comes from each session&apos;s analysis criteria (set them on the
              template).
            </p>
            <ExperimentResults results={results.data} />
          </>
        ) : (
          <Loading />
        )}
      </Card>
      <Card title="Arms">
        <ExperimentEditor
          key={JSON.stringify(config.data)}
          initial={config.data}
          sets={sets.data.items}
          saved={saved}
          onSave={async (body) => {
            setSaved(false);
            await api(`/session-templates/${templateId}/experiment`, { method: 'PUT', json: body });
            setSaved(true);
            onSaved();
            config.reload();
            results.reload();
          }}
        />
      </Card>
    </div>
  );
}

function Experiments() {
  const params = useSearchParams();
  const router = useRouter();
  const selected = params.get('template') ?? '';
  const templates = useApi<Schema<'TemplateList'>>('/session-templates');
  const [configs, setConfigs] = useState<Record<string, Config>>({});
  const [version, setVersion] = useState(0);

  const items = templates.data?.items ?? [];
  const ids = items.map((t) => t.id).join(',');
  useEffect(() => {
    if (!ids) return;
    let cancelled = false;
    void Promise.all(
      ids.split(',').map(async (id) => {
        try {
          return [id, await api<Config>(`/session-templates/${id}/experiment`)] as const;
        } catch {
          return null;
        }
      }),
    ).then((pairs) => {
      if (cancelled) return;
      setConfigs(Object.fromEntries(pairs.filter((p) => p !== null)));
    });
    return () => {
      cancelled = true;
    };
  }, [ids, selected, version]);

  if (templates.loading && !templates.data) return <Loading />;
  const running = items.filter((t) => configs[t.id]?.enabled);
  return (
    <div className={dash.stack}>
      <ErrorBanner error={templates.error} />
      {items.length === 0 ? (
        <EmptyState
          title="No templates yet"
          body="Experiments split a template's sessions between agent versions."
          action={<ButtonLink href="/dashboard/templates/new">Create a template</ButtonLink>}
        />
      ) : (
        <>
          <Card title="Experiments" testId="experiments-list">
            {running.length === 0 ? (
              <p className={dash.muted}>No experiment is running. Pick a template below.</p>
            ) : (
              <ul className={dash.stack} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {running.map((t) => (
                  <li key={t.id} className={dash.row} data-testid="experiment-row">
                    <Link href={`/dashboard/experiments?template=${t.id}`}>{t.name}</Link>
                    <Badge tone="success">running</Badge>
                    <span className={dash.muted}>
                      {(configs[t.id]?.arms ?? [])
                        .map((a) => `${a.name} (${a.weight})`)
                        .join(' · ')}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <SelectField
            label="Template"
            id="experiment-template"
            value={selected}
            options={[
              { value: '', label: 'Pick a template…' },
              ...items.map((t) => ({
                value: t.id,
                label: `${t.name}${configs[t.id]?.enabled ? ' (experiment running)' : ''}`,
              })),
            ]}
            onChange={(e) =>
              router.replace(
                e.target.value
                  ? `/dashboard/experiments?template=${e.target.value}`
                  : '/dashboard/experiments',
              )
            }
          />
          {selected && (
            <ExperimentDetail
              key={selected}
              templateId={selected}
              onSaved={() => setVersion((v) => v + 1)}
            />
          )}
        </>
      )}
    </div>
  );
}

export default function ExperimentsPage() {
  return (
    <>
      <PageHeader
        title="Experiments"
        description="Split a template's new sessions between pinned agent versions and compare the arms."
      />
      <Suspense fallback={<Loading />}>
        <Experiments />
      </Suspense>
    </>
  );
}
