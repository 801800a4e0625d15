'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import {
  Card,
  DataTable,
  EmptyState,
  ErrorBanner,
  Loading,
  SelectField,
  dash,
  formatDate,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { ButtonLink } from '@/components/ui/button';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { RunBadge } from '@/features/simulations/run-result';
import { RunButton } from '@/features/simulations/run-button';

export default function SimulationsPage() {
  const router = useRouter();
  const [templateId, setTemplateId] = useState('');
  const templates = useApi<Schema<'TemplateList'>>('/session-templates');
  const scenarios = useApi<Schema<'ScenarioList'>>('/simulations/scenarios', {
    query: { template_id: templateId || undefined },
  });
  const names = new Map((templates.data?.items ?? []).map((t) => [t.id, t.name]));
  const items = scenarios.data?.items ?? [];

  return (
    <>
      <PageHeader
        title="Simulations"
        description="Scenario tests of your templates: a simulated user talks to the real agents; handoffs, tool calls and words are checked."
        actions={
          <ButtonLink href="/dashboard/simulations/new" data-testid="new-scenario">
            New scenario
          </ButtonLink>
        }
      />
      <div className={dash.stack}>
        <ErrorBanner error={scenarios.error ?? templates.error} />
        <Card
          title="Scenarios"
          actions={
            <SelectField
              label="Template"
              id="filter-template"
              value={templateId}
              options={[
                { value: '', label: 'All templates' },
                ...(templates.data?.items ?? []).map((t) => ({ value: t.id, label: t.name })),
              ]}
              onChange={(e) => setTemplateId(e.target.value)}
            />
          }
        >
          {scenarios.loading && !scenarios.data ? (
            <Loading />
          ) : items.length === 0 ? (
            <EmptyState
              title="No scenarios yet"
              body="Describe a simulated user, what they say and what the agents must do, then run it here or with `troupe simulate` in CI."
            />
          ) : (
            <DataTable columns={['Scenario', 'Template', 'Criteria', 'Last run']} actions>
              {items.map((s) => (
                <tr key={s.id} data-testid="scenario-row">
                  <td>
                    <Link href={`/dashboard/simulations/${s.id}`}>{s.name}</Link>
                  </td>
                  <td>{names.get(s.template_id) ?? '—'}</td>
                  <td>{s.scenario.criteria.length}</td>
                  <td>
                    {s.last_run ? (
                      <Link href={`/dashboard/simulations/runs/${s.last_run.id}`}>
                        <RunBadge run={s.last_run} /> {formatDate(s.last_run.created_at)}
                      </Link>
                    ) : (
                      <span className={dash.muted}>never</span>
                    )}
                  </td>
                  <td>
                    <RunButton
                      scenarioId={s.id}
                      onDone={(run) => router.push(`/dashboard/simulations/runs/${run.id}`)}
                    />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
      </div>
    </>
  );
}
