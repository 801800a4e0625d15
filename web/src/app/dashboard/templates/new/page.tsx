'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Loading } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { TemplateForm } from '@/features/templates/template-form';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

export default function NewTemplatePage() {
  const router = useRouter();
  const catalog = useApi<Schema<'Catalog'>>('/catalog');
  const sets = useApi<Schema<'AgentSetList'>>('/agent-sets');
  const agents = useApi<Schema<'AgentList'>>('/agents');
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  return (
    <>
      <PageHeader title="New session template" />
      {!sets.data || (!agents.data && !agents.error) ? (
        <Loading />
      ) : (
        <TemplateForm
          catalog={catalog.data}
          sets={sets.data.items}
          agents={agents.data?.items}
          serverErrors={problems}
          submitError={error}
          onSubmit={async (body) => {
            setError(null);
            setProblems({});
            try {
              const t = await api<Schema<'TemplateRead'>>('/session-templates', {
                method: 'POST',
                json: body,
              });
              router.push(`/dashboard/templates/${t.id}`);
            } catch (e) {
              setProblems(fieldProblems(e));
              setError(e);
            }
          }}
        />
      )}
    </>
  );
}
