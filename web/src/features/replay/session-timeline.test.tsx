import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SessionTimeline, knowledgeBySeq, type LogEntry } from './session-timeline';

const TS = '2026-11-25T10:00:00.000Z';
const RULE = 'Ask the user what they need help with before transferring.';

const entries = [
  {
    seq: 0,
    ts: TS,
    kind: 'transition',
    from_agent: null,
    to_agent: 'front',
    context_policy: 'preserve',
  },
  {
    seq: 1,
    ts: TS,
    kind: 'tool_call',
    agent: 'front',
    tool: 'transfer_to_expert',
    arguments: { topic: 'unknown' },
    error: RULE,
    latency_ms: 3,
  },
  {
    seq: 2,
    ts: TS,
    kind: 'transition',
    from_agent: 'front',
    to_agent: 'expert',
    context_policy: 'summary',
    variables: { topic: 'a broken router' },
    summary_method: 'extractive',
  },
] as unknown as LogEntry[];

describe('SessionTimeline handoffs', () => {
  it('show the plan, variables and summary method, and a refused transfer with its rule', () => {
    render(<SessionTimeline entries={entries} />);
    const [first, handoff] = screen.getAllByTestId('timeline-transition');
    expect(first).toHaveTextContent('(preserve)'); // the first agent: no plan applied
    expect(within(handoff!).getByTestId('replay-handoff-plan')).toHaveTextContent(
      'plan summary · extractive summary',
    );
    expect(within(handoff!).getByTestId('replay-handoff-variable')).toHaveTextContent(
      'topic = "a broken router"',
    );
    const refused = screen.getByTestId('timeline-tool');
    expect(refused).toHaveTextContent('handoff refused');
    expect(within(refused).getByTestId('replay-handoff-refused')).toHaveTextContent(RULE);
  });
});

describe('SessionTimeline knowledge', () => {
  it('links a knowledge search to the chunks it used, from the replay', () => {
    const search = [
      {
        seq: 4,
        ts: TS,
        kind: 'tool_call',
        agent: 'front',
        tool: 'search_knowledge:auto',
        arguments: { query: 'refunds' },
        result: '{"chunks":[]}',
        error: null,
        latency_ms: 12,
      },
    ] as unknown as LogEntry[];
    const chunk = {
      chunk_id: 'c1',
      document_id: 'd1',
      knowledge_base_id: 'k1',
      document_name: 'handbook.md',
      heading_path: 'Handbook > Refunds',
      page: null,
      snippet: 'Customers can ask for a full refund within 45 days.',
    };
    const knowledge = knowledgeBySeq([
      { at: TS, t_ms: 0, source: 'log', kind: 'tool_call', seq: 4, data: {}, knowledge: [chunk] },
      { at: TS, t_ms: 0, source: 'livekit', kind: 'room_started', seq: null, data: {} },
    ]);
    render(<SessionTimeline entries={search} knowledge={knowledge} />);
    const [link] = screen.getAllByTestId('timeline-knowledge-chunk');
    expect(link).toHaveTextContent('handbook.md · Handbook > Refunds');
    expect(link).toHaveTextContent('within 45 days');
    expect(within(link!).getByRole('link', { name: 'handbook.md' })).toHaveAttribute(
      'href',
      '/dashboard/knowledge/k1?document=d1#chunk-c1',
    );
  });
});
