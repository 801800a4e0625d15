import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SessionTimeline, type LogEntry } from '@/features/replay/session-timeline';
import type { ReplayItem } from './replay-model';
import { STAGES } from './replay-model';
import { LatencyWaterfall, SessionReplayPlayer } from './session-replay';
import { msTicks, timeOrigin, turnsOf } from './turns';

// The session as issue 23 saw it: the recorder starts 2 s after the session; a message is
// logged when it is committed (the user's at the end of their speech), its speech started earlier.
const SESSION = '2026-11-25T10:00:00.000Z';
const RECORDING = '2026-11-25T10:00:02.000Z';
const at = (s: number) => new Date(Date.parse(SESSION) + s * 1000).toISOString();

const entries = [
  { seq: 0, ts: at(0.2), kind: 'transition', from_agent: null, to_agent: 'front' },
  {
    seq: 1,
    ts: at(4),
    kind: 'message',
    role: 'assistant',
    agent: 'front',
    text: 'Hi, how can I help?',
    started_at: at(2.5),
  },
  { seq: 2, ts: at(4), kind: 'turn_metrics', agent: 'front', tts_ttfb_ms: 180 },
  { seq: 3, ts: at(4.1), kind: 'message', role: 'system', text: 'context note' },
  {
    seq: 4,
    ts: at(7.7),
    kind: 'message',
    role: 'user',
    text: 'My router is broken.',
    started_at: at(5),
  },
  {
    seq: 5,
    ts: at(9),
    kind: 'message',
    role: 'assistant',
    agent: 'front',
    text: 'Let me check.',
    started_at: at(8.4),
  },
  {
    seq: 6,
    ts: at(9),
    kind: 'turn_metrics',
    agent: 'front',
    end_of_utterance_delay_ms: 300,
    transcription_delay_ms: 120,
    llm_ttft_ms: 450,
    tts_ttfb_ms: 200,
    e2e_latency_ms: 1070,
  },
  { seq: 7, ts: at(12), kind: 'message', role: 'user', text: 'Thanks.', started_at: at(11) },
  { seq: 8, ts: at(13), kind: 'message', role: 'assistant', agent: 'front', text: 'Bye.' },
] as unknown as LogEntry[];

const items = (entries as unknown as { seq: number; ts: string; kind: string }[])
  .filter((e) => e.kind !== 'turn_metrics')
  .map(
    ({ seq, ts, kind, ...data }) =>
      ({
        at: ts,
        t_ms: 0,
        source: 'log',
        kind,
        seq,
        agent: (data as { agent?: string }).agent ?? null,
        data,
      }) as ReplayItem,
  );

const recording = {
  id: 'r',
  kind: 'mixed',
  url: 'about:blank',
  started_at: RECORDING,
  duration_ms: 15_000,
} as never;

describe('one time base and one turn count on the session page', () => {
  const origin = timeOrigin(RECORDING, SESSION)!;

  it('puts a line at the same time on the audio strip and on the timeline', () => {
    render(<SessionReplayPlayer items={items} sessionStart={SESSION} recording={recording} />);
    const user = screen
      .getAllByTestId('replay-turn')
      .find((t) => t.textContent?.includes('My router'))!;
    expect(user).toHaveTextContent('0:03'); // 10:00:05 - 10:00:02

    render(<SessionTimeline entries={entries} origin={origin} />);
    const line = screen
      .getAllByTestId('transcript-line')
      .find((l) => l.textContent?.includes('My router'))!;
    const item = line.closest('li')!;
    expect(item.getAttribute('data-at-ms')).toBe(user.getAttribute('data-at-ms'));
    expect(within(item).getByTestId('timeline-time')).toHaveTextContent('0:03');
  });

  it('labels the greeting as a turn on the strip, the timeline and the chart', () => {
    render(<SessionReplayPlayer items={items} sessionStart={SESSION} recording={recording} />);
    const [first] = screen.getAllByTestId('replay-turn');
    expect(first).toHaveAttribute('data-greeting', 'true');
    expect(first).toHaveTextContent('Greeting');
    expect(within(first!).getByTitle('Greeting by front')).toBeInTheDocument();

    render(<SessionTimeline entries={entries} origin={origin} />);
    const greeting = screen.getAllByTestId('transcript-line')[0]!;
    expect(greeting).toHaveAttribute('data-greeting', 'true');
    expect(greeting).toHaveTextContent('greeting');

    render(<LatencyWaterfall turns={turnsOf(entries, origin)} />);
    expect(screen.getAllByTestId('latency-row')[0]).toHaveTextContent('Greeting · front');
  });

  it('counts the same turns in the summary model and the chart, numbered alike', () => {
    const turns = turnsOf(entries, origin);
    // The system line is no turn: greeting, user, agent, user, agent.
    expect(turns.map((t) => t.label)).toEqual(['Greeting', 'User', 'front', 'User', 'front']);
    expect(turns.map((t) => t.n)).toEqual([1, 2, 3, 4, 5]);
    render(<LatencyWaterfall turns={turns} />);
    expect(screen.getByTestId('latency-caption')).toHaveTextContent('3 agent turns of 5 turns');
    const rows = screen.getAllByTestId('latency-row');
    expect(rows.map((r) => r.getAttribute('data-turn'))).toEqual(['1', '3', '5']);
    expect(rows[1]).toHaveTextContent('Turn 3 · front');
    expect(rows[1]).toHaveTextContent('1070 ms');
    expect(within(rows[2]!).getByTestId('latency-na')).toBeInTheDocument();
  });

  it('gives the latency chart a time axis and a distinct colour per stage', () => {
    render(<LatencyWaterfall turns={turnsOf(entries, origin)} />);
    const ticks = [...screen.getByTestId('latency-axis').children].map((t) => t.textContent);
    expect(ticks).toEqual(['0 ms', '500 ms', '1 s', '1.5 s']);
    const colours = STAGES.map(([, , colour]) => colour);
    expect(new Set(colours).size).toBe(colours.length);
    // No two tokens that resolve to the same colour either.
    expect(colours).not.toContain('var(--color-state-listening)');
    expect(msTicks(1070)).toEqual([0, 500, 1000, 1500]);
    expect(msTicks(90)).toEqual([0, 25, 50, 75, 100]);
  });
});
