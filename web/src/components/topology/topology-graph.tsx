'use client';

import '@xyflow/react/dist/style.css';
import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  type NodeProps,
  type Node,
} from '@xyflow/react';
import { useRouter } from 'next/navigation';
import { useMemo } from 'react';
import { Badge, dash } from '@/components/dash/ui';
import { buildFlowElements, type AgentNodeData, type AgentSetGraph } from './topology-layout';
import styles from './topology.module.css';

function AgentNode({ data }: NodeProps<Node<AgentNodeData>>) {
  return (
    <div
      className={styles.node}
      data-testid={`topology-node-${data.slug}`}
      data-initial={data.initial || undefined}
      data-unreachable={data.unreachable || undefined}
      data-cycle={data.inCycle || undefined}
    >
      <Handle type="target" position={Position.Left} />
      <strong>{data.label}</strong>
      <span className={dash.mono}>{data.slug}</span>
      <span className={styles.nodeBadges}>
        {data.initial && <Badge tone="accent">start</Badge>}
        {data.unreachable && <Badge tone="danger">unreachable</Badge>}
        {data.inCycle && <Badge tone="warning">cycle</Badge>}
      </span>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const nodeTypes = { agent: AgentNode };

/** What the analysis found, as text (also what screen readers get instead of the canvas). */
export function TopologyFlags({ graph }: { graph: AgentSetGraph }) {
  return (
    <div className={dash.stack} style={{ gap: 8 }} data-testid="topology-flags">
      {graph.unreachable.length === 0 && !graph.has_cycles && graph.dangling.length === 0 && (
        <Badge tone="success">Every agent is reachable and there are no cycles.</Badge>
      )}
      {graph.unreachable.length > 0 && (
        <p data-testid="flag-unreachable">
          <Badge tone="danger">Unreachable</Badge> {graph.unreachable.join(', ')} cannot be reached
          from {graph.initial_agent}.
        </p>
      )}
      {graph.cycles.map((cycle, i) => (
        <p key={i} data-testid="flag-cycle">
          <Badge tone="warning">Cycle</Badge> {cycle.join(' → ')}
          {cycle[0] !== cycle[cycle.length - 1] ? ` → ${cycle[0]}` : ''} (allowed; make sure the
          handoff descriptions stop ping-pong)
        </p>
      ))}
      {graph.dangling.map((e) => (
        <p key={`${e.source}-${e.target}`} data-testid="flag-dangling">
          <Badge tone="danger">Outside the set</Badge> {e.source} hands off to {e.target}, which is
          not in this set.
        </p>
      ))}
    </div>
  );
}

export function TopologyGraph({
  graph,
  agents,
}: {
  graph: AgentSetGraph;
  agents: { slug: string; name: string; id: string }[];
}) {
  const router = useRouter();
  const { nodes, edges } = useMemo(() => buildFlowElements(graph, agents), [graph, agents]);
  return (
    <div className={dash.stack}>
      <div className={styles.canvas} data-testid="topology-graph">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ padding: 0.3, maxZoom: 1.2 }}
          nodesConnectable={false}
          proOptions={{ hideAttribution: true }}
          onNodeClick={(_, node) => {
            const id = (node.data as AgentNodeData).agentId;
            if (id) router.push(`/dashboard/agents/${id}`);
          }}
        >
          <Background gap={20} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      <TopologyFlags graph={graph} />
    </div>
  );
}
