'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { Card, ErrorBanner, Loading } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { api, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { ScenarioForm } from '@/features/simulations/scenario-form';
import { emptyForm } from '@/features/simulations/scenario-form-model';

function NewScenario() {
  const router = useRouter();
  const params = useSearchParams();
  const templates = useApi<Schema<'TemplateList'>>('/session-templates');
  if (!templates.data)
    return templates.error ? <ErrorBanner error={templates.error} /> : <Loading />;
  return (
    <Card>
      <ScenarioForm
        initial={emptyForm(params.get('template') ?? '')}
        templates={templates.data.items}
        submitLabel="Create scenario"
        onSubmit={async (scenario) => {
          const created = await api<Schema<'ScenarioRead'>>('/simulations/scenarios', {
            method: 'POST',
            json: scenario,
          });
          router.push(`/dashboard/simulations/${created.id}`);
        }}
      />
    </Card>
  );
}

export default function NewScenarioPage() {
  return (
    <>
      <PageHeader
        title="New scenario"
        description="A simulated user, what they say, and what the agents must (not) do."
      />
      <Suspense fallback={<Loading />}>
        <NewScenario />
      </Suspense>
    </>
  );
}
