import { describe, expect, it } from 'vitest';
import {
  buildMarks,
  currentTurn,
  handoffDetail,
  handoffText,
  waterfall,
  type ReplayItem,
} from './replay-model';

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

describe('handoff details', () => {
  const at = '2026-11-25T10:00:05.000Z';

  it('gives a transition between agents its plan, variables and summary method', () => {
    const detail = handoffDetail(
      item(
        'transition',
        at,
        {
          from_agent: 'front',
          to_agent: 'expert',
          context_policy: 'summary',
          variables: { topic: 'a broken router', urgent: true, priority: 2 },
          summary_method: 'extractive',
        },
        5,
      ),
    );
    expect(detail).toEqual({
      to: 'expert',
      plan: 'summary',
      variables: [
        ['priority', '2'],
        ['topic', '"a broken router"'],
        ['urgent', 'true'],
      ],
      summaryMethod: 'extractive',
    });
    expect(handoffText(detail!)).toBe(
      'plan summary (extractive summary) · priority = 2 · topic = "a broken router" · urgent = true',
    );
  });

  it('labels the plans (last N, none, legacy ones) and tolerates missing fields', () => {
    const plan = (data: Record<string, unknown>) =>
      handoffDetail(item('transition', at, { from_agent: 'a', to_agent: 'b', ...data }, 1))!;
    expect(plan({ context_policy: 'last_n' }).plan).toBe('last N');
    expect(plan({ context_policy: 'none' }).plan).toBe('none');
    expect(plan({ context_policy: 'reset' }).plan).toBe('fresh context');
    expect(plan({ context_policy: 'summary', summary_method: 'llm' }).summaryMethod).toBe('LLM');
    expect(plan({})).toEqual({
      to: 'b',
      plan: 'preserve',
      variables: [],
      summaryMethod: undefined,
    });
  });

  it('has none for the first agent taking the call or an ordinary tool call', () => {
    expect(
      handoffDetail(item('transition', at, { from_agent: null, to_agent: 'front' }, 0)),
    ).toBeUndefined();
    expect(
      handoffDetail(item('tool_call', at, { tool: 'lookup', error: 'boom', arguments: {} }, 3)),
    ).toBeUndefined();
    // A transfer that went through is a transition, not a refusal.
    expect(
      handoffDetail(item('tool_call', at, { tool: 'transfer_to_expert', error: null }, 3)),
    ).toBeUndefined();
  });

  it('marks a refused transfer with the rule message and the arguments it was called with', () => {
    const refused = item(
      'tool_call',
      at,
      {
        agent: 'front',
        tool: 'transfer_to_expert',
        arguments: { topic: 'unknown' },
        error: 'Ask the user what they need help with before transferring.',
      },
      4,
    );
    expect(handoffDetail(refused)).toEqual({
      to: 'expert',
      variables: [['topic', '"unknown"']],
      refused: 'Ask the user what they need help with before transferring.',
    });
    const [mark] = buildMarks([refused], START);
    expect(mark!.text).toBe('front → expert refused');
    expect(handoffText(mark!.handoff!)).toBe(
      'topic = "unknown" · refused: Ask the user what they need help with before transferring.',
    );
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
