import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { HandoffLabel, TopologyFlags, TopologyHandoffs } from './topology-graph';
import {
  buildFlowElements,
  cycleEdgeKeys,
  edgeData,
  type AgentSetGraph,
  type HandoffEdgeData,
} from './topology-layout';

vi.mock('next/navigation', () => ({ useRouter: () => ({ push: vi.fn() }) }));

type GraphEdge = AgentSetGraph['edges'][number];

const edge = (source: string, target: string, plan: Partial<GraphEdge> = {}): GraphEdge => ({
  source,
  target,
  context_policy: 'preserve',
  description: '',
  last_n: null,
  variables: [],
  reject_when: null,
  ...plan,
});

const graph: AgentSetGraph = {
  initial_agent: 'front',
  nodes: ['front', 'billing', 'tech', 'orphan'],
  edges: [edge('front', 'billing'), edge('billing', 'tech'), edge('tech', 'billing')],
  unreachable: ['orphan'],
  cycles: [['billing', 'tech']],
  has_cycles: true,
  dangling: [],
};

describe('topology', () => {
  it('flags unreachable agents and cycle members on the nodes', () => {
    const { nodes, edges } = buildFlowElements(graph, [
      { slug: 'front', name: 'Front desk', id: 'id-front' },
    ]);
    const bySlug = Object.fromEntries(nodes.map((n) => [n.id, n.data]));
    expect(bySlug.front).toMatchObject({
      initial: true,
      unreachable: false,
      inCycle: false,
      agentId: 'id-front',
      label: 'Front desk',
    });
    expect(bySlug.orphan).toMatchObject({ unreachable: true, inCycle: false });
    expect(bySlug.billing).toMatchObject({ inCycle: true, unreachable: false });
    expect(bySlug.tech).toMatchObject({ inCycle: true });
    const cycleEdges = edges
      .filter((e) => (e.data as { inCycle: boolean }).inCycle)
      .map((e) => e.id);
    // The handoff and its return are one edge (issue 23), on the cycle.
    expect(cycleEdges.sort()).toEqual(['billing<->tech']);
    // Columns follow the handoff depth; the unreachable agent sits after the last one.
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.position.x]));
    expect(x.front).toBeLessThan(x.billing!);
    expect(x.billing).toBeLessThan(x.tech!);
    expect(x.orphan).toBeGreaterThan(x.tech!);
  });

  it('draws a return handoff as one edge with arrows both ways and both plans', () => {
    const { edges } = buildFlowElements(graph);
    expect(edges.map((e) => e.id)).toEqual(['front->billing', 'billing<->tech']);
    const pair = edges[1]!;
    expect(pair.markerStart).toBeTruthy();
    expect(pair.markerEnd).toBeTruthy();
    expect(edges[0]!.markerStart).toBeUndefined();
    render(<HandoffLabel id={pair.id} data={pair.data!} />);
    expect(screen.getAllByTestId('edge-direction').map((d) => d.textContent)).toEqual([
      'billing → tech',
      'tech → billing',
    ]);
  });

  it('treats closed cycle paths the same as open ones', () => {
    expect([...cycleEdgeKeys([['a', 'b', 'a']])].sort()).toEqual(['a->b', 'b->a']);
  });

  it('lists the flags as text', () => {
    render(<TopologyFlags graph={graph} />);
    expect(screen.getByTestId('flag-unreachable')).toHaveTextContent(
      'orphan cannot be reached from front',
    );
    expect(screen.getByTestId('flag-cycle')).toHaveTextContent('billing → tech → billing');
  });

  it('says so when the graph is clean', () => {
    render(<TopologyFlags graph={{ ...graph, unreachable: [], cycles: [], has_cycles: false }} />);
    expect(screen.getByTestId('topology-flags')).toHaveTextContent('Every agent is reachable');
  });
});

describe('handoff edges', () => {
  const topic = { name: 'topic', description: '', type: 'string' as const, required: true };
  const urgent = { name: 'urgent', description: '', type: 'boolean' as const, required: false };
  const rule = {
    match: 'all' as const,
    conditions: [{ variable: 'topic', op: 'eq' as const, value: 'unknown' }],
    message: 'Ask first.',
  };

  it('labels every edge with its plan, not only fresh-context ones', () => {
    const labels = (
      [
        [{ context_policy: 'last_n', last_n: 5 }, 'last 5'],
        [{ context_policy: 'summary' }, 'summary'],
        [{ context_policy: 'none' }, 'none'],
        [{ context_policy: 'all' }, 'all history'],
        [{ context_policy: 'conversation' }, 'conversation'],
        [{ context_policy: 'preserve' }, 'preserve'],
        [{ context_policy: 'reset' }, 'fresh context'],
      ] as [Partial<GraphEdge>, string][]
    ).map(([plan, label]) => [edgeData(edge('a', 'b', plan)).plan, label]);
    for (const [got, want] of labels) expect(got).toBe(want);
    const { edges } = buildFlowElements({
      ...graph,
      edges: [edge('front', 'billing', { context_policy: 'summary' })],
    });
    expect(edges[0]).toMatchObject({ type: 'handoff', data: { plan: 'summary' } });
  });

  it('lists the variables (optional ones marked) and the rejection rule', () => {
    const d: HandoffEdgeData = edgeData(
      edge('front', 'billing', { variables: [topic, urgent], reject_when: rule }),
    );
    expect(d.variables).toEqual(['topic', 'urgent?']);
    expect(d.rule).toEqual({ when: 'topic is "unknown"', message: 'Ask first.' });
    const any = edgeData(
      edge('a', 'b', {
        reject_when: {
          match: 'any',
          conditions: [
            { variable: 'score', op: 'lt', value: 3 },
            { variable: 'tier', op: 'in', value: ['free', 'trial'] },
            { variable: 'account', op: 'missing', value: null },
          ],
          message: 'No.',
        },
      }),
    );
    expect(any.rule?.when).toBe(
      'score < 3 or tier is one of "free", "trial" or account is not set',
    );
    expect(edgeData(edge('a', 'b')).rule).toBeNull();
  });

  it('shows badges only on edges that pass variables or have a rule', () => {
    render(
      <TopologyHandoffs
        graph={{
          ...graph,
          edges: [
            edge('front', 'billing', {
              context_policy: 'last_n',
              last_n: 5,
              variables: [topic],
              reject_when: rule,
            }),
            edge('billing', 'tech', { context_policy: 'none' }),
          ],
        }}
      />,
    );
    const first = screen.getByTestId('handoff-front->billing');
    expect(first).toHaveTextContent('last 5');
    expect(first.querySelector('[data-testid="edge-variables"]')).toHaveAttribute(
      'title',
      'Variables: topic',
    );
    expect(first.querySelector('[data-testid="edge-rule"]')).toHaveAttribute(
      'title',
      'Refused when topic is "unknown": “Ask first.”',
    );
    const second = screen.getByTestId('handoff-billing->tech');
    expect(second).toHaveTextContent('none');
    expect(second.querySelector('[data-testid="edge-variables"]')).toBeNull();
    expect(second.querySelector('[data-testid="edge-rule"]')).toBeNull();
  });
});
