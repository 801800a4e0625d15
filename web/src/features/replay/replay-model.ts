import type { Schema } from '@/lib/api/client';
import { planLabel, variablePairs } from '@/lib/handoff-plan';

export type ReplayItem = Schema<'ReplayItem'>;

/** One recording file with its signed URL (`GET /sessions/{id}/recordings`). */
export type Recording = Schema<'RecordingRead'>;

export type MarkKind = 'message' | 'transition' | 'tool_call' | 'panel_event' | 'error';

/** One thing on the replay timeline, placed in milliseconds from the recording's start. */
export interface Mark {
  key: string;
  kind: MarkKind;
  /** ms from the audio's start (may be negative: before the recorder started). */
  atMs: number;
  /** ms from the audio's start where the next message begins (messages only). */
  endMs?: number;
  role?: string;
  agent?: string | null;
  text: string;
  /** A handoff (transition between agents) or a refused one (a failed transfer_to_X call). */
  handoff?: HandoffDetail;
  /** The agent's opening line, spoken before the user said anything. */
  greeting?: boolean;
  item: ReplayItem;
}

/** What a replayed handoff carried: the context plan, the variables and how it summarised. */
export interface HandoffDetail {
  to: string;
  /** The context plan's short label ("summary", "last N"…); absent on a refused transfer. */
  plan?: string;
  /** `name = value` pairs: the variables the handoff set (or the refused call's arguments). */
  variables: [string, string][];
  /** "LLM" or "extractive", for a summary plan. */
  summaryMethod?: string;
  /** The rejection rule's (or loop guard's) message when the transfer was refused. */
  refused?: string;
}

/** One line for a tooltip: "plan summary (extractive) · topic = \"billing\"" or "refused: …". */
export function handoffText(detail: HandoffDetail): string {
  const parts: string[] = [];
  if (detail.plan) {
    parts.push(
      `plan ${detail.plan}${detail.summaryMethod ? ` (${detail.summaryMethod} summary)` : ''}`,
    );
  }
  parts.push(...detail.variables.map(([name, value]) => `${name} = ${value}`));
  if (detail.refused) parts.push(`refused: ${detail.refused}`);
  return parts.join(' · ');
}

const TRANSFER_PREFIX = 'transfer_to_';
const SUMMARY_METHODS: Record<string, string> = { llm: 'LLM', extractive: 'extractive' };

/** The handoff detail of a transition between agents or a refused `transfer_to_X` call. */
export function handoffDetail(item: ReplayItem): HandoffDetail | undefined {
  return handoffDetailOf(item.kind, item.data);
}

/** `handoffDetail` for a log entry's kind and fields (the session timeline's entries). */
export function handoffDetailOf(
  kind: string,
  d: Record<string, unknown>,
): HandoffDetail | undefined {
  if (kind === 'transition') {
    // The session's first agent taking the call is no handoff: no plan was applied.
    if (!str(d.from_agent)) return undefined;
    const method = str(d.summary_method);
    return {
      to: str(d.to_agent) ?? '?',
      plan: planLabel(str(d.context_policy), typeof d.last_n === 'number' ? d.last_n : null),
      variables: variablePairs(d.variables),
      summaryMethod: method ? (SUMMARY_METHODS[method] ?? method) : undefined,
    };
  }
  const tool = str(d.tool);
  const error = str(d.error);
  if (kind === 'tool_call' && tool?.startsWith(TRANSFER_PREFIX) && error) {
    return {
      to: tool.slice(TRANSFER_PREFIX.length),
      variables: variablePairs(d.arguments),
      refused: error,
    };
  }
  return undefined;
}

const SHOWN: ReadonlySet<string> = new Set([
  'message',
  'transition',
  'tool_call',
  'panel_event',
  'error',
]);

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function describe(item: ReplayItem): string {
  const d = item.data;
  switch (item.kind) {
    case 'message':
      return str(d.text) ?? '';
    case 'transition':
      return `${str(d.from_agent) ?? 'start'} → ${str(d.to_agent) ?? '?'}`;
    case 'tool_call': {
      const handoff = handoffDetail(item);
      if (handoff?.refused) return `${str(d.agent) ?? '?'} → ${handoff.to} refused`;
      return `${str(d.tool) ?? 'tool'}${d.error ? ' (error)' : ''}`;
    }
    case 'panel_event':
      return `${str(d.panel) ?? 'panel'} · ${str(d.event) ?? ''}`;
    default:
      return str(d.message) ?? item.kind;
  }
}

/**
 * The replay's log items as marks on the audio's clock. A message sits where its speech started
 * (`started_at`) when the runtime knew it, else where it was logged. `audioStart` is the
 * recording's first sample (else the session's start).
 */
export function buildMarks(items: ReplayItem[], audioStart: string): Mark[] {
  const origin = Date.parse(audioStart);
  const marks: Mark[] = items
    .filter((i) => i.source === 'log' && SHOWN.has(i.kind))
    .map((item, index) => {
      const spoken = item.kind === 'message' ? str(item.data.started_at) : undefined;
      const at = Date.parse(spoken ?? item.at);
      return {
        key: `${item.seq ?? 'x'}-${index}`,
        kind: item.kind as MarkKind,
        atMs: at - origin,
        role: str(item.data.role),
        agent: item.agent,
        text: describe(item),
        handoff: handoffDetail(item),
        item,
      };
    })
    .sort((a, b) => a.atMs - b.atMs);
  const messages = marks.filter((m) => m.kind === 'message');
  const first = messages.find((m) => m.role === 'user' || m.role === 'assistant');
  if (first?.role === 'assistant') first.greeting = true;
  messages.forEach((m, i) => {
    m.endMs = messages[i + 1]?.atMs;
  });
  return marks;
}

/** The message being spoken (or last spoken) at `ms`; null before the first one. */
export function currentTurn(marks: Mark[], ms: number): Mark | null {
  let current: Mark | null = null;
  for (const m of marks) {
    if (m.kind !== 'message') continue;
    if (m.atMs <= ms) current = m;
    else break;
  }
  return current;
}

type Metrics = Schema<'TurnMetricsEntry-Output'>;

/** The stages of a turn's latency, each with its own colour (no two alike). */
export const STAGES = [
  ['end_of_utterance_delay_ms', 'End of turn', 'var(--color-text-subtle)'],
  ['transcription_delay_ms', 'Transcription', 'var(--color-accent-2)'],
  ['llm_ttft_ms', 'LLM first token', 'var(--color-warning)'],
  ['tts_ttfb_ms', 'TTS first byte', 'var(--color-accent)'],
] as const;

export type StageKey = (typeof STAGES)[number][0];

export interface WaterfallRow {
  seq: number;
  agent: string | null | undefined;
  total: number | null;
  /** Known stages only, each with its offset from the turn's start. */
  segments: { key: StageKey; label: string; color: string; startMs: number; ms: number }[];
  unknown: StageKey[];
}

/**
 * Per-turn waterfall rows. Stages run one after another; a stage the runtime did not measure is
 * listed as unknown and takes no room. A turn with no known stage has no segments (shown as
 * "n/a"), never a full bar.
 */
export function waterfall(entries: { kind: string }[]): WaterfallRow[] {
  return entries
    .filter((e): e is Metrics => e.kind === 'turn_metrics')
    .map((t) => ({ seq: t.seq, agent: t.agent, ...stagesOf(t) }));
}

/** One turn's stages laid end to end; unknown ones listed apart (see `waterfall`). */
export function stagesOf(
  t: Partial<Record<StageKey | 'e2e_latency_ms', number | null>>,
): Pick<WaterfallRow, 'total' | 'segments' | 'unknown'> {
  let offset = 0;
  const segments: WaterfallRow['segments'] = [];
  const unknown: StageKey[] = [];
  for (const [key, label, color] of STAGES) {
    const ms = t[key];
    if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) {
      unknown.push(key);
      continue;
    }
    segments.push({ key, label, color, startMs: offset, ms });
    offset += ms;
  }
  const known = segments.length ? offset : null;
  return { total: t.e2e_latency_ms ?? known, segments, unknown };
}
