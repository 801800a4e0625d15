/**
 * One clock and one turn list for everything on the session page: the replay strip, the timeline
 * and the latency chart all place a message where its speech started, in milliseconds from the
 * same origin (the recording's first sample, else the session's start), and count the same turns.
 */

type Entry = { kind: string; seq: number; ts: string; [key: string]: unknown };

/** The session page's time origin: the recording's start, else the replay's, else the session's. */
export function timeOrigin(...candidates: (string | null | undefined)[]): string | undefined {
  return candidates.find((c): c is string => typeof c === 'string' && !Number.isNaN(Date.parse(c)));
}

/** When an entry happened: a message where its speech started (when known), else when logged. */
export function entryTime(entry: { kind: string; ts: string; started_at?: unknown }): number {
  const spoken =
    entry.kind === 'message' && typeof entry.started_at === 'string' ? entry.started_at : null;
  return Date.parse(spoken ?? entry.ts);
}

/** `m:ss` on the session clock (negative: before the origin, shown as 0:00). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export interface TurnMetrics {
  end_of_utterance_delay_ms?: number | null;
  transcription_delay_ms?: number | null;
  llm_ttft_ms?: number | null;
  tts_ttfb_ms?: number | null;
  e2e_latency_ms?: number | null;
}

export interface Turn {
  /** 1-based, in the order spoken: the number every view shows. */
  n: number;
  seq: number;
  role: 'user' | 'assistant';
  agent: string | null;
  text: string;
  /** The agent's opening line, spoken before the user said anything. */
  greeting: boolean;
  /** "Greeting", "User" or the agent's name. */
  label: string;
  /** ms from the origin. */
  atMs: number;
  /** The latency the user waited for this agent turn (agent turns with metrics only). */
  metrics?: TurnMetrics;
}

/**
 * The session's turns: each user or agent message (system lines are no turn), numbered in the
 * order spoken; an agent message spoken first is the greeting. A `turn_metrics` entry belongs to
 * the agent message logged just before it.
 */
export function turnsOf(entries: readonly Entry[], origin: string | undefined): Turn[] {
  const bySeq = [...entries].sort((a, b) => a.seq - b.seq);
  const base = origin ? Date.parse(origin) : bySeq.length ? Date.parse(bySeq[0]!.ts) : 0;
  const turns: Turn[] = [];
  for (const e of bySeq) {
    if (e.kind === 'turn_metrics') {
      const last = turns[turns.length - 1];
      if (last?.role === 'assistant' && !last.metrics) last.metrics = e as TurnMetrics;
      continue;
    }
    if (e.kind !== 'message' || (e.role !== 'user' && e.role !== 'assistant')) continue;
    const agent = typeof e.agent === 'string' ? e.agent : null;
    turns.push({
      n: 0,
      seq: e.seq,
      role: e.role,
      agent,
      text: typeof e.text === 'string' ? e.text : '',
      greeting: false,
      label: e.role === 'user' ? 'User' : (agent ?? 'Agent'),
      atMs: entryTime(e) - base,
    });
  }
  // In the order spoken (a user talking over the greeting is logged before it ends).
  turns.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  const first = turns[0];
  if (first?.role === 'assistant') {
    first.greeting = true;
    first.label = 'Greeting';
  }
  turns.forEach((t, i) => {
    t.n = i + 1;
  });
  return turns;
}

/** Axis ticks for a duration chart: 0 and round steps up to at least `max` (ms). */
export function msTicks(max: number, count = 4): number[] {
  const raw = Math.max(1, max) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(t);
  return ticks;
}
