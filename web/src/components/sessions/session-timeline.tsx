'use client';

import { Badge, dash } from '@/components/dash/ui';
import { handoffDetailOf } from '@/components/replay/replay-model';
import { HandoffLine } from '@/components/replay/session-replay';
import type { Schema } from '@/lib/api/client';
import { formatMs } from './format';
import styles from './sessions.module.css';

type Message = Schema<'MessageEntry-Output'>;
type Transition = Schema<'TransitionEntry-Output'>;
type ToolCall = Schema<'ToolCallEntry-Output'>;
type PanelEvent = Schema<'PanelEventEntry-Output'>;
type Metrics = Schema<'TurnMetricsEntry-Output'>;
type ErrorEntry = Schema<'ErrorEntry-Output'>;
export type LogEntry =
  Message | Transition | ToolCall | PanelEvent | Metrics | ErrorEntry | Schema<'UsageEntry-Output'>;

function time(ts: string, start: number): string {
  const t = (Date.parse(ts) - start) / 1000;
  return Number.isFinite(t) ? `+${Math.max(0, t).toFixed(1)}s` : '';
}

/** Transcript, transitions, tool calls, panel events and errors on one timeline. */
export function SessionTimeline({ entries }: { entries: LogEntry[] }) {
  const shown = entries
    .filter((e) => e.kind !== 'usage' && e.kind !== 'turn_metrics')
    .sort((a, b) => a.seq - b.seq);
  const start = entries.length ? Date.parse(entries[0]!.ts) : 0;
  if (shown.length === 0) return <p className={dash.muted}>Nothing was logged for this session.</p>;
  return (
    <ol className={styles.timeline} data-testid="session-timeline">
      {shown.map((e) => (
        <li key={e.seq} className={styles.item} data-kind={e.kind}>
          <span className={styles.time}>{time(e.ts, start)}</span>
          <div className={styles.body}>{renderEntry(e)}</div>
        </li>
      ))}
    </ol>
  );
}

function renderEntry(e: LogEntry) {
  switch (e.kind) {
    case 'message':
      return (
        <div
          data-testid="transcript-line"
          data-role={e.role}
          className={styles.message}
          data-self={e.role === 'user' || undefined}
        >
          <span className={styles.speaker}>
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

const STAGES = [
  ['end_of_utterance_delay_ms', 'End of turn', 'var(--color-state-listening)'],
  ['transcription_delay_ms', 'Transcription', 'var(--color-accent-2)'],
  ['llm_ttft_ms', 'LLM first token', 'var(--color-state-thinking)'],
  ['tts_ttfb_ms', 'TTS first byte', 'var(--color-state-speaking)'],
] as const;

/** One stacked bar per turn: where the time to first audio went. */
export function LatencyBreakdown({ entries }: { entries: LogEntry[] }) {
  const turns = entries.filter((e): e is Metrics => e.kind === 'turn_metrics');
  if (turns.length === 0) return <p className={dash.muted}>No per-turn metrics were recorded.</p>;
  const max = Math.max(
    1,
    ...turns.map((t) => t.e2e_latency_ms ?? STAGES.reduce((s, [k]) => s + (t[k] ?? 0), 0)),
  );
  return (
    <div className={dash.stack} style={{ gap: 10 }} data-testid="latency-breakdown">
      <div className={dash.row}>
        {STAGES.map(([, label, color]) => (
          <span key={label} className={dash.muted}>
            <span className={styles.swatch} style={{ background: color }} /> {label}
          </span>
        ))}
      </div>
      {turns.map((t, i) => (
        <div key={t.seq} className={styles.latencyRow}>
          <span className={dash.muted}>
            Turn {i + 1}
            {t.agent ? ` · ${t.agent}` : ''}
          </span>
          {STAGES.every(([key]) => t[key] === null || t[key] === undefined) ? (
            <span className={dash.muted} data-testid="latency-na">
              n/a
            </span>
          ) : (
            <div className={styles.bar} title={`total ${formatMs(t.e2e_latency_ms)}`}>
              {STAGES.map(([key, label, color]) =>
                t[key] ? (
                  <span
                    key={key}
                    title={`${label}: ${formatMs(t[key])}`}
                    style={{ width: `${((t[key] ?? 0) / max) * 100}%`, background: color }}
                  />
                ) : null,
              )}
            </div>
          )}
          <span className={dash.mono}>{formatMs(t.e2e_latency_ms)}</span>
        </div>
      ))}
    </div>
  );
}
