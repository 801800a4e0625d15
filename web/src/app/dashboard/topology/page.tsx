'use client';

import dynamic from 'next/dynamic';
import { useState } from 'react';
import {
  Card,
  CheckboxChips,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  Loading,
  SelectField,
  TextField,
  dash,
} from '@/components/ui/kit';
import { PageHeader } from '@/components/shell/page-header';
import { Button, ButtonLink } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { plural } from '@/lib/words';

const TopologyGraph = dynamic(
  () => import('@/features/topology/topology-graph').then((m) => m.TopologyGraph),
  { ssr: false, loading: () => <Loading label="Drawing the graph…" /> },
);

type AgentSet = Schema<'AgentSetRead'>;

export default function TopologyPage() {
  const sets = useApi<Schema<'AgentSetList'>>('/agent-sets');
  const agents = useApi<Schema<'AgentList'>>('/agents');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const items = sets.data?.items ?? [];
  const selected = items.find((s) => s.id === selectedId) ?? items[0];

  return (
    <>
      <PageHeader
        title="Topology"
        description="Agent sets: who starts the conversation and who hands off to whom."
        actions={
          <Button onClick={() => setCreating(true)} data-testid="new-agent-set">
            New agent set
          </Button>
        }
      />
      <div className={dash.stack}>
        <ErrorBanner error={sets.error} />
        {creating && (
          <AgentSetForm
            agents={agents.data?.items ?? []}
            onCancel={() => setCreating(false)}
            onSaved={(set) => {
              setCreating(false);
              setSelectedId(set.id);
              sets.reload();
            }}
          />
        )}
        {sets.loading && !sets.data ? (
          <Loading />
        ) : items.length === 0 ? (
          !creating && (
            <EmptyState
              title="No agent sets yet"
              body="An agent set groups agents and names the one that greets the caller."
              action={<Button onClick={() => setCreating(true)}>Create an agent set</Button>}
            />
          )
        ) : (
          <>
            <div className={dash.toolbar}>
              <select
                className={dash.input}
                aria-label="Agent set"
                data-testid="agent-set-select"
                value={selected?.id}
                onChange={(e) => setSelectedId(e.target.value)}
              >
                {items.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
              <span className={dash.muted}>
                {plural(selected?.agents.length ?? 0, 'agent')} · starts with{' '}
                {selected?.initial_agent}
              </span>
            </div>
            {selected && (
              <SetView
                key={`${selected.id}-${selected.updated_at}`}
                set={selected}
                agents={agents.data?.items ?? []}
                onChanged={() => sets.reload()}
              />
            )}
          </>
        )}
      </div>
    </>
  );
}

function SetView({
  set,
  agents,
  onChanged,
}: {
  set: AgentSet;
  agents: Schema<'AgentRead'>[];
  onChanged: () => void;
}) {
  const graph = useApi<Schema<'AgentSetGraph'>>(`/agent-sets/${set.id}/graph`);
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<unknown>(null);

  return (
    <>
      <Card
        title={set.name}
        actions={
          <>
            <Button size="sm" variant="secondary" onClick={() => setEditing((e) => !e)}>
              {editing ? 'Close editor' : 'Edit set'}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirm(true)}>
              Delete
            </Button>
          </>
        }
      >
        {set.description && <p className={dash.muted}>{set.description}</p>}
        <ErrorBanner error={error ?? graph.error} />
        {editing && (
          <AgentSetForm
            initial={set}
            agents={agents}
            onCancel={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              onChanged();
            }}
          />
        )}
        {graph.data ? <TopologyGraph graph={graph.data} agents={agents} /> : <Loading />}
        <p className={dash.muted} style={{ marginTop: 12 }}>
          Click an agent to open it. Handoffs are edited on each agent.{' '}
          <ButtonLink href="/dashboard/agents" variant="ghost" size="sm">
            Agents
          </ButtonLink>
        </p>
      </Card>
      <ConfirmDialog
        open={confirm}
        title={`Delete ${set.name}?`}
        body="Templates that use this set must be changed first. The agents are kept."
        onCancel={() => setConfirm(false)}
        onConfirm={async () => {
          try {
            await api(`/agent-sets/${set.id}`, { method: 'DELETE' });
            setConfirm(false);
            onChanged();
          } catch (e) {
            setError(e);
            setConfirm(false);
          }
        }}
      />
    </>
  );
}

function AgentSetForm({
  initial,
  agents,
  onSaved,
  onCancel,
}: {
  initial?: AgentSet;
  agents: Schema<'AgentRead'>[];
  onSaved: (set: AgentSet) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [members, setMembers] = useState<string[]>(initial?.agents ?? []);
  const [initialAgent, setInitialAgent] = useState(initial?.initial_agent ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);

  async function save() {
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = 'Name the set.';
    if (members.length === 0) found.agents = 'Pick at least one agent.';
    if (!members.includes(initialAgent)) found.initial_agent = 'Pick the agent that starts.';
    setErrors(found);
    if (Object.keys(found).length) return;
    const body = { name, description, agents: members, initial_agent: initialAgent };
    try {
      const set = initial
        ? await api<AgentSet>(`/agent-sets/${initial.id}`, { method: 'PATCH', json: body })
        : await api<AgentSet>('/agent-sets', { method: 'POST', json: body });
      onSaved(set);
    } catch (e) {
      setErrors(fieldProblems(e));
      setError(e);
    }
  }

  return (
    <div className={dash.card} style={{ marginBottom: 16 }} data-testid="agent-set-form">
      <div className={dash.stack}>
        <ErrorBanner error={error} />
        <div className={dash.grid2}>
          <TextField
            label="Set name"
            id="set-name"
            value={name}
            error={errors.name}
            onChange={(e) => setName(e.target.value)}
          />
          <TextField
            label="Description"
            id="set-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <CheckboxChips
          label="Agents in this set"
          name="set-agents"
          options={agents.map((a) => ({ value: a.slug, label: a.name }))}
          value={members}
          error={errors.agents}
          onChange={(next) => {
            setMembers(next);
            if (!next.includes(initialAgent)) setInitialAgent(next[0] ?? '');
          }}
        />
        <SelectField
          label="Starts with"
          id="set-initial"
          value={initialAgent}
          error={errors.initial_agent}
          options={[
            { value: '', label: 'Choose…' },
            ...agents
              .filter((a) => members.includes(a.slug))
              .map((a) => ({ value: a.slug, label: a.name })),
          ]}
          onChange={(e) => setInitialAgent(e.target.value)}
        />
        <div className={dash.row}>
          <Button onClick={() => void save()} data-testid="save-agent-set">
            {initial ? 'Save set' : 'Create set'}
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </div>
    </div>
  );
}
