import { describe, expect, it } from 'vitest';
import type { Schema } from '@/lib/api/client';
import { startHereSteps } from './start-here';

const template = {
  id: 'tpl-demo',
  name: 'Demo: Ava and Max',
  initial_agent: 'ava',
  agents: ['ava', 'max'],
} as Schema<'TemplateRead'>;
const other = { id: 'tpl-2', name: 'Other', initial_agent: 'bob' } as Schema<'TemplateRead'>;
const deployment = {
  id: 'dep-1',
  template_id: 'tpl-demo',
  embed_key: 'pk_demo',
  enabled: true,
} as Schema<'DeploymentRead'>;
const ava = { id: 'agent-ava', slug: 'ava', name: 'Ava' } as Schema<'AgentRead'>;
const session = { id: 'sess-1' } as Schema<'SessionRead'>;

describe('startHereSteps', () => {
  it('links each step to its page: the demo embed, the replay, Ava’s instructions', () => {
    const steps = startHereSteps({
      templates: [other, template],
      deployments: [deployment],
      agents: [ava],
      demoSessions: [session],
    });
    expect(steps?.map((s) => [s.id, s.href])).toEqual([
      ['talk', '/embed/pk_demo?name=Ava'],
      ['replay', '/dashboard/sessions/sess-1'],
      ['edit', '/dashboard/agents/agent-ava#agent-instructions'],
    ]);
  });

  it('waits with the replay until the demo has been talked to', () => {
    const steps = startHereSteps({
      templates: [template],
      deployments: [deployment],
      agents: [ava],
      demoSessions: [],
    });
    const replay = steps?.find((s) => s.id === 'replay');
    expect(replay?.href).toBeNull();
    expect(replay?.waiting).toBe('Talk to the demo first');
  });

  it('falls back to the template page without a deployment, and hides without the demo', () => {
    const steps = startHereSteps({
      templates: [template],
      deployments: [{ ...deployment, enabled: false }],
      agents: [ava],
      demoSessions: [],
    });
    expect(steps?.[0]?.href).toBe('/dashboard/templates/tpl-demo');
    expect(
      startHereSteps({ templates: [other], deployments: [], agents: [], demoSessions: [] }),
    ).toBeNull();
  });
});
