import { describe, expect, it } from 'vitest';
import { buildMarks, currentTurn, waterfall, type ReplayItem } from './replay-model';

const START = '2026-11-25T10:00:00.000Z';

function item(kind: string, at: string, data: Record<string, unknown>, seq: number): ReplayItem {
  return { at, t_ms: 0, source: 'log', kind, seq, agent: null, data };
}

describe('buildMarks', () => {
  const items: ReplayItem[] = [
    { at: START, t_ms: 0, source: 'livekit', kind: 'room_started', seq: null, data: {} },
    item(
      'message',
      '2026-11-25T10:00:04.000Z',
      { role: 'assistant', text: 'Hi', started_at: '2026-11-25T10:00:01.500Z' },
      1,
    ),
    item('transition', '2026-11-25T10:00:00.200Z', { from_agent: null, to_agent: 'front' }, 0),
    item('message', '2026-11-25T10:00:06.000Z', { role: 'user', text: 'Expert please' }, 2),
    item('tool_call', '2026-11-25T10:00:07.000Z', { tool: 'transfer', error: null }, 3),
    item('turn_metrics', '2026-11-25T10:00:07.000Z', {}, 4),
  ];

  it('places log items on the audio clock, messages where their speech started', () => {
    const marks = buildMarks(items, '2026-11-25T10:00:00.500Z');
    expect(marks.map((m) => [m.kind, m.atMs, m.text])).toEqual([
      ['transition', -300, 'start → front'],
      ['message', 1000, 'Hi'],
      ['message', 5500, 'Expert please'],
      ['tool_call', 6500, 'transfer'],
    ]);
    expect(marks[1]!.endMs).toBe(5500);
    expect(marks[2]!.endMs).toBeUndefined();
  });

  it('finds the turn being spoken at a position', () => {
    const marks = buildMarks(items, START);
    expect(currentTurn(marks, 0)).toBeNull();
    expect(currentTurn(marks, 2000)?.text).toBe('Hi');
    expect(currentTurn(marks, 6000)?.text).toBe('Expert please');
  });
});

describe('waterfall', () => {
  const metrics = (seq: number, fields: Record<string, number | null>) => ({
    kind: 'turn_metrics',
    seq,
    ts: START,
    agent: 'front',
    end_of_utterance_delay_ms: null,
    transcription_delay_ms: null,
    llm_ttft_ms: null,
    tts_ttfb_ms: null,
    e2e_latency_ms: null,
    ...fields,
  });

  it('stacks known stages one after another and skips unknown ones', () => {
    const [row] = waterfall([
      metrics(1, {
        end_of_utterance_delay_ms: 500,
        llm_ttft_ms: 200,
        tts_ttfb_ms: 100,
        e2e_latency_ms: 850,
      }),
    ]);
    expect(row!.segments.map((s) => [s.key, s.startMs, s.ms])).toEqual([
      ['end_of_utterance_delay_ms', 0, 500],
      ['llm_ttft_ms', 500, 200],
      ['tts_ttfb_ms', 700, 100],
    ]);
    expect(row!.unknown).toEqual(['transcription_delay_ms']);
    expect(row!.total).toBe(850);
  });

  it('gives a turn with no known stage no segments and no total (n/a, not a full bar)', () => {
    const [row] = waterfall([metrics(2, {})]);
    expect(row!.segments).toEqual([]);
    expect(row!.total).toBeNull();
  });
});
