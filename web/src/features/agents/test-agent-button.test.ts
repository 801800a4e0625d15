import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Schema } from '@/lib/api/client';
import { ensureTestTemplate, reachableAgents } from './test-agent-button';

afterEach(() => vi.unstubAllGlobals());

type Agent = Schema<'AgentRead'>;
const agent = (slug: string, handoffs: string[] = []) =>
  ({
    slug,
    name: slug.toUpperCase(),
    handoffs: handoffs.map((a) => ({ agent: a, context_policy: 'preserve' })),
  }) as unknown as Agent;
const all = [agent('max', ['ava']), agent('ava', ['max', 'bob']), agent('bob'), agent('zed')];

/** A fake API: answers per "METHOD path", records what was sent. */
function stubApi(answers: Record<string, unknown>) {
  const sent: [string, string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn().mockImplementation((url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const path = new URL(String(url), 'http://x').pathname.replace('/api/v1', '');
      sent.push([method, path, init?.body ? JSON.parse(String(init.body)) : undefined]);
      return Promise.resolve(
        new Response(JSON.stringify(answers[`${method} ${path}`] ?? {}), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
      );
    }),
  );
  return sent;
}

describe('Test this agent', () => {
  it('takes the agent first, with the agents it can hand off to', () => {
    expect(reachableAgents(all[0]!, all)).toEqual(['max', 'ava', 'bob']);
    expect(reachableAgents(all[3]!, all)).toEqual(['zed']);
  });

  it('makes a throw-away agent set and template through the API the first time', async () => {
    const sent = stubApi({
      'GET /agent-sets': { items: [] },
      'POST /agent-sets': { id: 'set1' },
      'GET /session-templates': { items: [] },
      'POST /session-templates': { id: 'tpl1' },
    });
    expect(await ensureTestTemplate(all[0]!, all)).toBe('tpl1');
    expect(sent.filter(([m]) => m !== 'GET')).toEqual([
      [
        'POST',
        '/agent-sets',
        { name: 'Test · MAX', initial_agent: 'max', agents: ['max', 'ava', 'bob'] },
      ],
      [
        'POST',
        '/session-templates',
        {
          name: 'Test · MAX',
          description: 'Made by "Test this agent" for max.',
          agent_set_id: 'set1',
        },
      ],
    ]);
  });

  it('reuses them on the next test, bringing the set up to date', async () => {
    const sent = stubApi({
      'GET /agent-sets': { items: [{ id: 'set1', name: 'Test · MAX' }] },
      'PATCH /agent-sets/set1': { id: 'set1' },
      'GET /session-templates': {
        items: [{ id: 'tpl1', name: 'Test · MAX', agent_set_id: 'set1' }],
      },
    });
    expect(await ensureTestTemplate(all[0]!, all)).toBe('tpl1');
    expect(sent.filter(([m]) => m !== 'GET').map(([m, p]) => `${m} ${p}`)).toEqual([
      'PATCH /agent-sets/set1',
    ]);
  });
});
