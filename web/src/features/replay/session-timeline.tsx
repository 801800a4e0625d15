'use client';

import { Badge, dash } from '@/components/ui/kit';
import { handoffDetailOf } from '@/features/replay/replay-model';
import { HandoffLine } from '@/features/replay/session-replay';
import { clock, entryTime, turnsOf, type Turn } from '@/features/replay/turns';
import type { Schema } from '@/lib/api/client';
import { formatMs } from '@/lib/format';
import styles from './sessions.module.css';

type Message = Schema<'MessageEntry-Output'>;
type Transition = Schema<'TransitionEntry-Output'>;
type ToolCall = Schema<'ToolCallEntry-Output'>;
type PanelEvent = Schema<'PanelEventEntry-Output'>;
type Metrics = Schema<'TurnMetricsEntry-Output'>;
type ErrorEntry = Schema<'ErrorEntry-Output'>;
export type LogEntry =
  Message | Transition | ToolCall | PanelEvent | Metrics | ErrorEntry | Schema<'UsageEntry-Output'>;
export type KnowledgeRef = Schema<'ReplayKnowledgeChunk'>;

/** The chunks each knowledge search used, by log seq, from the replay's items. */
export function knowledgeBySeq(
  items: Schema<'ReplayItem'>[] | undefined,
): Map<number, KnowledgeRef[]> {
  const out = new Map<number, KnowledgeRef[]>();
  for (const item of items ?? []) {
    if (item.seq != null && item.knowledge?.length) out.set(item.seq, item.knowledge);
  }
  return out;
}

/** The knowledge base page with the chunk's document opened and the chunk marked. */
export function chunkHref(k: KnowledgeRef): string {
  return `/dashboard/knowledge/${k.knowledge_base_id}?document=${k.document_id}#chunk-${k.chunk_id}`;
}

/**
 * Transcript, transitions, tool calls, panel events and errors on one timeline, on the replay's
 * clock: `origin` is the same time base as the audio strip (a message sits where its speech
 * started), and turns carry the same numbers and greeting label as the summary and latency chart.
 */
export function SessionTimeline({
  entries,
  origin,
  knowledge,
}: {
  entries: LogEntry[];
  origin?: string;
  /** Chunks each knowledge search used (log seq → chunks), from the replay. */
  knowledge?: Map<number, KnowledgeRef[]>;
}) {
  const base = origin
    ? Date.parse(origin)
    : entries.length
      ? Math.min(...entries.map((e) => Date.parse(e.ts)))
      : 0;
  const turns = new Map(turnsOf(entries, origin).map((t) => [t.seq, t]));
  const shown = entries
    .filter((e) => e.kind !== 'usage' && e.kind !== 'turn_metrics')
    .map((e) => ({ e, at: entryTime(e) - base }))
    .sort((a, b) => a.at - b.at || a.e.seq - b.e.seq);
  if (shown.length === 0) return <p className={dash.muted}>Nothing was logged for this session.</p>;
  return (
    <ol className={styles.timeline} data-testid="session-timeline">
      {shown.map(({ e, at }) => (
        <li key={e.seq} className={styles.item} data-kind={e.kind} data-at-ms={Math.round(at)}>
          <span className={styles.time} data-testid="timeline-time">
            {Number.isFinite(at) ? clock(at) : ''}
          </span>
          <div className={styles.body}>
            {renderEntry(e, turns.get(e.seq))}
            {e.kind === 'tool_call' && <KnowledgeLinks chunks={knowledge?.get(e.seq)} />}
          </div>
        </li>
      ))}
    </ol>
  );
}

function KnowledgeLinks({ chunks }: { chunks: KnowledgeRef[] | undefined }) {
  if (!chunks?.length) return null;
  return (
    <ul className={dash.stack} data-testid="timeline-knowledge">
      {chunks.map((k) => (
        <li key={k.chunk_id} data-testid="timeline-knowledge-chunk">
          <a href={chunkHref(k)}>{k.document_name}</a>
          {k.heading_path && <span className={dash.muted}> · {k.heading_path}</span>}
          {k.page ? <span className={dash.muted}> · page {k.page}</span> : null}
          <div className={dash.muted}>{k.snippet}</div>
        </li>
      ))}
    </ul>
  );
}

function renderEntry(e: LogEntry, turn: Turn | undefined) {
  switch (e.kind) {
    case 'message':
      return (
        <div
          data-testid="transcript-line"
          data-role={e.role}
          data-greeting={turn?.greeting || undefined}
          className={styles.message}
          data-self={e.role === 'user' || undefined}
        >
          <span className={styles.speaker}>
            {turn?.greeting && <Badge tone="accent">greeting</Badge>}
            {e.role === 'user' ? 'User' : (e.agent ?? 'Agent')}
            {e.interrupted && <Badge tone="warning">interrupted</Badge>}
          </span>
          <span>{e.text}</span>
        </div>
      );
    case 'transition': {
      const handoff = handoffDetailOf(e.kind, e);
      return (
        <span data-testid="timeline-transition">
          <Badge tone="accent">handoff</Badge> {e.from_agent ?? 'start'} →{' '}
          <strong>{e.to_agent}</strong>{' '}
          {handoff ? (
            <HandoffLine detail={handoff} />
          ) : (
            <span className={dash.muted}>({e.context_policy})</span>
          )}
        </span>
      );
    }
    case 'tool_call': {
      const refused = handoffDetailOf(e.kind, e);
      return (
        <details data-testid="timeline-tool">
          <summary>
            <Badge tone={e.error ? 'danger' : undefined}>
              {refused ? 'handoff refused' : 'tool'}
            </Badge>{' '}
            <strong>{e.tool}</strong>{' '}
            <span className={dash.muted}>
              by {e.agent} · {formatMs(e.latency_ms)}
            </span>
            {refused && <HandoffLine detail={refused} />}
          </summary>
          <pre className={dash.pre}>{JSON.stringify(e.arguments, null, 2)}</pre>
          {(e.result ?? e.error) && <pre className={dash.pre}>{e.error ?? e.result}</pre>}
        </details>
      );
    }
    case 'panel_event':
      return (
        <span data-testid="timeline-panel">
          <Badge>panel</Badge> {e.panel} · {e.event}
        </span>
      );
    case 'error':
      return (
        <span>
          <Badge tone="danger">{e.source} error</Badge> {e.message}
        </span>
      );
    default:
      return null;
  }
}
