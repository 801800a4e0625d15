'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { AgentForm } from '@/features/agents/agent-form';
import { slugify, toAgentBody } from '@/features/agents/agent-validation';
import { Card, ErrorBanner, TextField, dash } from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

export default function NewAgentPage() {
  const router = useRouter();
  const catalog = useApi<Schema<'Catalog'>>('/catalog');
  // which providers have a key for this organization ("· no key" in the model fields)
  const availability = useApi<Schema<'CatalogAvailability'>>('/catalog/availability');
  const tools = useApi<Schema<'ToolList'>>('/tools');
  const agents = useApi<Schema<'AgentList'>>('/agents');
  const starters = useApi<Schema<'StarterTemplateList'>>('/agent-templates');
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [starter, setStarter] = useState<string | null>(null);
  const [starterSlug, setStarterSlug] = useState('');

  async function createFromStarter(id: string) {
    setError(null);
    try {
      const agent = await api<Schema<'AgentRead'>>('/agents/from-template', {
        method: 'POST',
        json: { template: id, slug: starterSlug },
      });
      router.push(`/dashboard/agents/${agent.id}`);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <>
      <PageHeader title="New agent" description="Start blank or from a starter template." />
      <div className={dash.stack}>
        {(starters.data?.items.length ?? 0) > 0 && (
          <Card title="Start from a template">
            <div className={dash.grid3}>
              {starters.data?.items.map((s) => (
                <div key={s.id} className={dash.card} data-testid={`starter-${s.id}`}>
                  <strong>{s.label}</strong>
                  <p className={dash.muted} style={{ margin: '6px 0 12px' }}>
                    {s.description}
                  </p>
                  {starter === s.id ? (
                    <div className={dash.stack} style={{ gap: 8 }}>
                      <TextField
                        label="Slug"
                        value={starterSlug}
                        onChange={(e) => setStarterSlug(e.target.value)}
                      />
                      <Button size="sm" onClick={() => void createFromStarter(s.id)}>
                        Create
                      </Button>
                    </div>
                  ) : (
                    <Button
                      size="sm"
                      variant="secondary"
                      onClick={() => {
                        setStarter(s.id);
                        setStarterSlug(slugify(s.agent.name));
                      }}
                    >
                      Use template
                    </Button>
                  )}
                </div>
              ))}
            </div>
          </Card>
        )}
        <ErrorBanner error={starters.error ?? catalog.error} />
        <AgentForm
          catalog={catalog.data}
          availability={availability.data}
          tools={tools.data?.items ?? []}
          agents={agents.data?.items ?? []}
          serverErrors={problems}
          submitError={error}
          submitLabel="Create agent"
          onSubmit={async (values) => {
            setError(null);
            setProblems({});
            try {
              const agent = await api<Schema<'AgentRead'>>('/agents', {
                method: 'POST',
                json: toAgentBody(values, true),
              });
              router.push(`/dashboard/agents/${agent.id}?created=1`);
            } catch (e) {
              setProblems(fieldProblems(e));
              setError(e);
            }
          }}
        />
      </div>
    </>
  );
}
