import type { Edge, Node } from '@xyflow/react';
import type { Schema } from '@/lib/api/client';
import { planLabel, ruleText } from '@/lib/handoff-plan';

export type AgentSetGraph = Schema<'AgentSetGraph'>;

export interface AgentNodeData extends Record<string, unknown> {
  slug: string;
  label: string;
  initial: boolean;
  unreachable: boolean;
  inCycle: boolean;
  agentId?: string;
}

type GraphEdge = Schema<'GraphEdge'>;

/** What an edge's label shows: its context plan, the variables it passes, its rejection rule. */
export interface HandoffEdgeData extends Record<string, unknown> {
  inCycle: boolean;
  description: string;
  /** "last 5", "summary", "none"… */
  plan: string;
  /** Variable names, `?` marking the optional ones ("topic", "priority?"). */
  variables: string[];
  /** When the rule refuses ("topic is \"unknown\""), and what the LLM is told. */
  rule: { when: string; message: string } | null;
  /** The return handoff (`target → source`), drawn on the same edge with arrows both ways. */
  back?: HandoffEdgeData & { from: string; to: string };
  /** The edge's direction, for its label when it carries a return handoff. */
  from?: string;
  to?: string;
}

/** The label data of one handoff edge. */
export function edgeData(e: GraphEdge, inCycle = false): HandoffEdgeData {
  return {
    inCycle,
    description: e.description,
    plan: planLabel(e.context_policy, e.last_n),
    variables: (e.variables ?? []).map((v) => (v.required ? v.name : `${v.name}?`)),
    rule: e.reject_when ? { when: ruleText(e.reject_when), message: e.reject_when.message } : null,
  };
}

/** Edges `a→b` that lie on one of the graph's cycles (consecutive members, wrapping). */
export function cycleEdgeKeys(cycles: string[][]): Set<string> {
  const keys = new Set<string>();
  for (const cycle of cycles) {
    const path =
      cycle.length > 1 && cycle[0] === cycle[cycle.length - 1] ? cycle.slice(0, -1) : cycle;
    path.forEach((node, i) => keys.add(`${node}->${path[(i + 1) % path.length]}`));
  }
  return keys;
}

/**
 * Columns by BFS depth from the initial agent; unreachable agents in a last column.
 * Flags come from the API's analysis (`unreachable`, `cycles`).
 */
export function buildFlowElements(
  graph: AgentSetGraph,
  agents: { slug: string; name: string; id: string }[] = [],
): { nodes: Node<AgentNodeData>[]; edges: Edge<HandoffEdgeData>[] } {
  const bySlug = new Map(agents.map((a) => [a.slug, a]));
  const cycleNodes = new Set(graph.cycles.flat());
  const cycleEdges = cycleEdgeKeys(graph.cycles);
  const unreachable = new Set(graph.unreachable);
  const depth = new Map<string, number>();
  if (graph.nodes.includes(graph.initial_agent)) {
    depth.set(graph.initial_agent, 0);
    const queue = [graph.initial_agent];
    while (queue.length) {
      const current = queue.shift()!;
      for (const e of graph.edges) {
        if (e.source === current && !depth.has(e.target) && graph.nodes.includes(e.target)) {
          depth.set(e.target, (depth.get(current) ?? 0) + 1);
          queue.push(e.target);
        }
      }
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  const rows = new Map<number, number>();
  const nodes = graph.nodes.map((slug) => {
    const col = depth.get(slug) ?? maxDepth + 1;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    const agent = bySlug.get(slug);
    return {
      id: slug,
      type: 'agent',
      // wide columns: each edge's label (plan, variables, rule) sits between them
      position: { x: col * 420, y: row * 140 },
      data: {
        slug,
        label: agent?.name ?? slug,
        initial: slug === graph.initial_agent,
        unreachable: unreachable.has(slug),
        inCycle: cycleNodes.has(slug),
        agentId: agent?.id,
      },
    } satisfies Node<AgentNodeData>;
  });
  // A handoff and its return (a → b and b → a) are one edge with arrows at both ends, not two
  // curves drawn over each other; its label shows both plans.
  const key = (e: GraphEdge) => `${e.source}->${e.target}`;
  const all = new Map(graph.edges.map((e) => [key(e), e]));
  const merged = new Set<string>();
  const edges: Edge<HandoffEdgeData>[] = [];
  for (const e of graph.edges) {
    if (merged.has(key(e))) continue;
    const inCycle = cycleEdges.has(key(e));
    const ret = e.source !== e.target ? all.get(`${e.target}->${e.source}`) : undefined;
    const data = edgeData(e, inCycle);
    if (ret) {
      merged.add(key(ret));
      data.from = e.source;
      data.to = e.target;
      data.back = {
        ...edgeData(ret, cycleEdges.has(key(ret))),
        from: ret.source,
        to: ret.target,
      };
    }
    edges.push({
      id: ret ? `${e.source}<->${e.target}` : key(e),
      type: 'handoff',
      source: e.source,
      target: e.target,
      animated: inCycle,
      data,
      style: inCycle ? { stroke: 'var(--color-warning)', strokeWidth: 2 } : { strokeWidth: 1.5 },
      markerEnd: { type: 'arrowclosed' as never },
      ...(ret
        ? { markerStart: { type: 'arrowclosed' as never, orient: 'auto-start-reverse' } }
        : {}),
    });
  }
  return { nodes, edges };
}
