'use client';

import '@xyflow/react/dist/style.css';
import {
  Background,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  Handle,
  Position,
  ReactFlow,
  getBezierPath,
  type Edge,
  type EdgeProps,
  type NodeProps,
  type Node,
} from '@xyflow/react';
import { useRouter } from 'next/navigation';
import { useMemo } from 'react';
import { Badge, dash } from '@/components/ui/kit';
import {
  buildFlowElements,
  edgeData,
  type AgentNodeData,
  type AgentSetGraph,
  type HandoffEdgeData,
} from './topology-layout';
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

/** An edge's plan with small badges for its variables and rejection rule (tooltips list them). */
export function HandoffLabel({ id, data }: { id: string; data: HandoffEdgeData }) {
  if (data.back) {
    // A handoff and its return on one edge: one line per direction.
    const { back, ...forward } = data;
    return (
      <span className={styles.edgeLabelPair} data-testid={`topology-edge-${id}`}>
        <HandoffLabel id={`${data.from}->${data.to}`} data={forward} />
        <HandoffLabel id={`${back.from}->${back.to}`} data={back} />
      </span>
    );
  }
  return (
    <span className={styles.edgeLabel} data-testid={`topology-edge-${id}`} title={data.description}>
      {data.from && data.to && (
        <span className={styles.edgeDirection} data-testid="edge-direction">
          {data.from} → {data.to}
        </span>
      )}
      <span className={styles.plan} data-testid="edge-plan">
        {data.plan}
      </span>
      {data.variables.length > 0 && (
        <span
          className={styles.edgeBadge}
          data-testid="edge-variables"
          title={`Variables: ${data.variables.join(', ')}`}
        >
          {'{ }'} {data.variables.join(', ')}
        </span>
      )}
      {data.rule && (
        <span
          className={styles.edgeBadge}
          data-tone="danger"
          data-testid="edge-rule"
          title={`Refused when ${data.rule.when}: “${data.rule.message}”`}
        >
          ⊘ rule
        </span>
      )}
    </span>
  );
}

function HandoffEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  style,
  markerEnd,
  markerStart,
  data,
}: EdgeProps<Edge<HandoffEdgeData>>) {
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  return (
    <>
      <BaseEdge id={id} path={path} style={style} markerEnd={markerEnd} markerStart={markerStart} />
      {data && (
        <EdgeLabelRenderer>
          <div
            className={styles.edgeLabelBox}
            style={{
              transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`,
              // above the nodes: a label may reach over a node's edge
              zIndex: 1001,
            }}
          >
            <HandoffLabel id={id} data={data} />
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const nodeTypes = { agent: AgentNode };
const edgeTypes = { handoff: HandoffEdge };

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

/** Every handoff as text: plan, variables and rule (the edges' labels, readable without hover). */
export function TopologyHandoffs({ graph }: { graph: AgentSetGraph }) {
  if (graph.edges.length === 0) return null;
  return (
    <ul className={styles.handoffs} data-testid="topology-handoffs">
      {graph.edges.map((e) => {
        const d = edgeData(e);
        return (
          <li key={`${e.source}->${e.target}`} data-testid={`handoff-${e.source}->${e.target}`}>
            <span className={dash.mono}>
              {e.source} → {e.target}
            </span>{' '}
            <HandoffLabel id={`${e.source}->${e.target}-text`} data={d} />
            {d.rule && (
              <span className={dash.muted}>
                {' '}
                refused when {d.rule.when}: “{d.rule.message}”
              </span>
            )}
          </li>
        );
      })}
    </ul>
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
          edgeTypes={edgeTypes}
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
      <TopologyHandoffs graph={graph} />
      <TopologyFlags graph={graph} />
    </div>
  );
}
