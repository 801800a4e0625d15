import type { Schema } from '@/lib/api/client';

/** The seeded demo (`troupe-api seed`): Ava greets and hands off to Max. */
export const DEMO_FIRST_AGENT = 'ava';

export interface StartHereStep {
  id: 'talk' | 'replay' | 'edit';
  title: string;
  body: string;
  /** Where the one click goes; null while the step cannot be taken yet (with `waiting`). */
  href: string | null;
  action: string;
  waiting?: string;
}

export interface StartHereInput {
  templates: Schema<'TemplateRead'>[];
  deployments: Schema<'DeploymentRead'>[];
  agents: Schema<'AgentRead'>[];
  /** The newest sessions of the demo template. */
  demoSessions: Schema<'SessionRead'>[];
}

/** The demo template: the one that starts with Ava (the seed's), if it is still there. */
export function findDemoTemplate(
  templates: Schema<'TemplateRead'>[],
): Schema<'TemplateRead'> | undefined {
  return templates.find((t) => t.initial_agent === DEMO_FIRST_AGENT);
}

/** The three first steps of a fresh install, each one click to a real page. */
export function startHereSteps({
  templates,
  deployments,
  agents,
  demoSessions,
}: StartHereInput): StartHereStep[] | null {
  const template = findDemoTemplate(templates);
  if (!template) return null;
  const deployment = deployments.find((d) => d.enabled && d.template_id === template.id);
  const ava = agents.find((a) => a.slug === DEMO_FIRST_AGENT);
  const name = ava?.name ?? 'Ava';
  const latest = demoSessions[0];
  const talkHref = deployment
    ? `/embed/${encodeURIComponent(deployment.embed_key)}?name=${encodeURIComponent(name)}`
    : `/dashboard/templates/${template.id}`;
  return [
    {
      id: 'talk',
      title: `Talk to the demo`,
      body: `${name} greets you; ask for technical help and she hands you to Max.`,
      href: talkHref,
      action: 'Start a conversation',
    },
    {
      id: 'replay',
      title: 'See the replay',
      body: 'Every turn, handoff and latency of that conversation, with its audio.',
      href: latest ? `/dashboard/sessions/${latest.id}` : null,
      action: 'Open the replay',
      waiting: 'Talk to the demo first',
    },
    {
      id: 'edit',
      title: `Change ${name}’s instructions`,
      body: `Edit what ${name} says and does, save, then talk to the demo again.`,
      href: ava ? `/dashboard/agents/${ava.id}#agent-instructions` : null,
      action: `Edit ${name}`,
      waiting: `${name} was removed`,
    },
  ];
}
