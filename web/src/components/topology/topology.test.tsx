import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { TopologyFlags } from './topology-graph';
import { buildFlowElements, cycleEdgeKeys, type AgentSetGraph } from './topology-layout';

vi.mock('next/navigation', () => ({ useRouter: () => ({ push: vi.fn() }) }));

const edge = (source: string, target: string) => ({
  source,
  target,
  context_policy: 'preserve' as const,
  description: '',
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
    expect(cycleEdges.sort()).toEqual(['billing->tech', 'tech->billing']);
    // Columns follow the handoff depth; the unreachable agent sits after the last one.
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.position.x]));
    expect(x.front).toBeLessThan(x.billing!);
    expect(x.billing).toBeLessThan(x.tech!);
    expect(x.orphan).toBeGreaterThan(x.tech!);
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
