'use client';

import { useParams, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { AgentAvatarCard } from '@/features/agents/agent-avatar';
import { AgentForm } from '@/features/agents/agent-form';
import { TestAgentButton } from '@/features/agents/test-agent-button';
import { toAgentBody } from '@/features/agents/agent-validation';
import { AgentVersions } from '@/features/agents/agent-versions';
import {
  Card,
  ConfirmDialog,
  ErrorBanner,
  Loading,
  Notice,
  TextField,
  dash,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

type Agent = Schema<'AgentRead'>;

export default function AgentPage() {
  return (
    <Suspense>
      <AgentEditor />
    </Suspense>
  );
}

function AgentEditor() {
  const { agentId } = useParams<{ agentId: string }>();
  const router = useRouter();
  const created = useSearchParams().get('created') === '1';
  const agent = useApi<Agent>(`/agents/${agentId}`);
  const catalog = useApi<Schema<'Catalog'>>('/catalog');
  // which providers have a key for this organization ("· no key" in the model fields)
  const availability = useApi<Schema<'CatalogAvailability'>>('/catalog/availability');
  const tools = useApi<Schema<'ToolList'>>('/tools');
  const agents = useApi<Schema<'AgentList'>>('/agents');
  const [tab, setTab] = useState<'settings' | 'versions'>('settings');
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(created ? 'Agent created.' : null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dupSlug, setDupSlug] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);

  if (!agent.data) {
    return agent.error ? <ErrorBanner error={agent.error} /> : <Loading />;
  }
  const current = agent.data;

  async function remove() {
    setBusy(true);
    try {
      await api(`/agents/${agentId}`, { method: 'DELETE' });
      router.push('/dashboard/agents');
    } catch (e) {
      setError(e);
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  }

  async function duplicate() {
    try {
      const copy = await api<Agent>(`/agents/${agentId}/duplicate`, {
        method: 'POST',
        json: { slug: dupSlug, name: `${current.name} (copy)` },
      });
      router.push(`/dashboard/agents/${copy.id}?created=1`);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <>
      <PageHeader
        title={current.name}
        description={`${current.slug} · version ${current.version}`}
        actions={
          <>
            <TestAgentButton agent={current} agents={agents.data?.items ?? []} />
            <Button
              variant="secondary"
              onClick={() => setDupSlug(`${current.slug}_copy`.slice(0, 48))}
            >
              Duplicate
            </Button>
            <Button
              variant="danger"
              onClick={() => setConfirmDelete(true)}
              data-testid="delete-agent"
            >
              Delete
            </Button>
          </>
        }
      />
      <div className={dash.stack}>
        {saved && <Notice tone="success">{saved}</Notice>}
        {dupSlug !== null && (
          <Card title="Duplicate agent">
            <div className={dash.row} style={{ alignItems: 'flex-end' }}>
              <TextField
                label="New slug"
                value={dupSlug}
                onChange={(e) => setDupSlug(e.target.value)}
              />
              <Button onClick={() => void duplicate()}>Create copy</Button>
              <Button variant="ghost" onClick={() => setDupSlug(null)}>
                Cancel
              </Button>
            </div>
          </Card>
        )}
        <div className={dash.tabs} role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'settings'}
            onClick={() => setTab('settings')}
          >
            Settings
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'versions'}
            onClick={() => setTab('versions')}
            data-testid="tab-versions"
          >
            Version history
          </button>
        </div>
        {tab === 'settings' && (
          <AgentAvatarCard
            agent={current}
            onChanged={(updated) => {
              setSaved(updated.avatar_url ? 'Avatar saved.' : 'Avatar removed.');
              agent.reload();
            }}
          />
        )}
        {tab === 'settings' ? (
          <AgentForm
            key={`${current.version}-${formKey}`}
            initial={current}
            catalog={catalog.data}
            availability={availability.data}
            tools={tools.data?.items ?? []}
            agents={agents.data?.items ?? []}
            serverErrors={problems}
            submitError={error}
            onSubmit={async (values) => {
              setError(null);
              setProblems({});
              setSaved(null);
              try {
                await api<Agent>(`/agents/${agentId}`, {
                  method: 'PUT',
                  json: toAgentBody(values, false),
                });
                setSaved('Saved as a new version.');
                agent.reload();
              } catch (e) {
                setProblems(fieldProblems(e));
                setError(e);
              }
            }}
          />
        ) : (
          <AgentVersions
            agent={current}
            onRolledBack={(version) => {
              setSaved(`Rolled back to version ${version}.`);
              setFormKey((k) => k + 1);
              agent.reload();
            }}
          />
        )}
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${current.name}?`}
        body="The agent and its version history are removed. Agent sets that use it must be changed first."
        busy={busy}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => void remove()}
      />
    </>
  );
}
