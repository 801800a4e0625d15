'use client';

import { TestSessionButton } from '@/features/templates/test-template-button';
import { api, type Schema } from '@/lib/api/client';

type Agent = Schema<'AgentRead'>;

/** The test set and template of an agent are named after it, so a second test reuses them. */
export const testName = (agent: Pick<Agent, 'name'>) => `Test · ${agent.name}`;

/** The agent and every agent it can hand off to (directly or further on), it first. */
export function reachableAgents(agent: Agent, all: readonly Agent[]): string[] {
  const bySlug = new Map(all.map((a) => [a.slug, a]));
  bySlug.set(agent.slug, agent);
  const seen = [agent.slug];
  for (let i = 0; i < seen.length; i++) {
    for (const h of bySlug.get(seen[i]!)?.handoffs ?? []) {
      if (bySlug.has(h.agent) && !seen.includes(h.agent)) seen.push(h.agent);
    }
  }
  return seen;
}

/**
 * The throw-away agent set and template behind "Test this agent": the agent as the first one,
 * with the agents it hands off to; reused (and brought up to date) on the next test.
 */
export async function ensureTestTemplate(agent: Agent, all: readonly Agent[]): Promise<string> {
  const name = testName(agent);
  const set = { name, initial_agent: agent.slug, agents: reachableAgents(agent, all) };
  const sets = await api<Schema<'AgentSetList'>>('/agent-sets');
  const existing = sets.items.find((s) => s.name === name);
  const setId = existing
    ? (
        await api<Schema<'AgentSetRead'>>(`/agent-sets/${existing.id}`, {
          method: 'PATCH',
          json: set,
        })
      ).id
    : (await api<Schema<'AgentSetRead'>>('/agent-sets', { method: 'POST', json: set })).id;
  const templates = await api<Schema<'TemplateList'>>('/session-templates');
  const template = templates.items.find((t) => t.name === name && t.agent_set_id === setId);
  if (template) return template.id;
  const created = await api<Schema<'TemplateRead'>>('/session-templates', {
    method: 'POST',
    json: {
      name,
      description: `Made by "Test this agent" for ${agent.slug}.`,
      agent_set_id: setId,
    },
  });
  return created.id;
}

/** "Test this agent": a test session of the agent, opened in a new tab, no set or template to make. */
export function TestAgentButton({ agent, agents }: { agent: Agent; agents: readonly Agent[] }) {
  return (
    <TestSessionButton
      label="Test this agent"
      testId="test-agent"
      template={() => ensureTestTemplate(agent, agents)}
    />
  );
}
