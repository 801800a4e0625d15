import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SessionTimeline, type LogEntry } from './session-timeline';

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
