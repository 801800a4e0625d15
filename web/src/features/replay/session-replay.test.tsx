import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ReplayItem } from './replay-model';
import { SessionReplayPlayer } from './session-replay';

const START = '2026-11-25T10:00:00.000Z';
const RULE = 'Ask the user what they need help with before transferring.';

function log(kind: string, seconds: number, data: Record<string, unknown>, seq: number) {
  const at = new Date(Date.parse(START) + seconds * 1000).toISOString();
  return { at, t_ms: seconds * 1000, source: 'log', kind, seq, agent: null, data } as ReplayItem;
}

const items: ReplayItem[] = [
  log('transition', 0, { from_agent: null, to_agent: 'front', context_policy: 'preserve' }, 0),
  log('message', 1, { role: 'assistant', agent: 'front', text: 'Hi' }, 1),
  log(
    'tool_call',
    3,
    { agent: 'front', tool: 'transfer_to_expert', arguments: { topic: 'unknown' }, error: RULE },
    2,
  ),
  log('tool_call', 3.5, { agent: 'front', tool: 'log_observation', error: null }, 3),
  log(
    'transition',
    4,
    {
      from_agent: 'front',
      to_agent: 'expert',
      context_policy: 'summary',
      variables: { topic: 'a broken router' },
      summary_method: 'extractive',
    },
    4,
  ),
];

describe('SessionReplayPlayer handoffs', () => {
  it('shows the plan, variables and summary method of a handoff, and marks a refused one', () => {
    render(<SessionReplayPlayer items={items} sessionStart={START} recording={undefined} />);
    const events = screen.getAllByTestId('replay-event');
    const accepted = events.find((e) => e.getAttribute('data-handoff') === 'accepted')!;
    expect(within(accepted).getByTestId('replay-handoff-plan')).toHaveTextContent(
      'plan summary · extractive summary',
    );
    expect(
      within(accepted)
        .getAllByTestId('replay-handoff-variable')
        .map((v) => v.textContent),
    ).toEqual(['topic = "a broken router"']);
    expect(within(accepted).queryByTestId('replay-handoff-refused')).toBeNull();

    const refused = events.find((e) => e.getAttribute('data-handoff') === 'refused')!;
    expect(refused).toHaveTextContent('handoff refused');
    expect(refused).toHaveTextContent('front → expert refused');
    expect(within(refused).getByTestId('replay-handoff-refused')).toHaveTextContent(
      `Refused: ${RULE}`,
    );
    expect(within(refused).getByTestId('replay-handoff-variable')).toHaveTextContent(
      'topic = "unknown"',
    );

    // The first agent taking the call and an ordinary tool call carry no handoff detail.
    expect(screen.getAllByTestId('replay-handoff')).toHaveLength(2);
    const start = events.find((e) => e.textContent?.includes('start → front'))!;
    expect(start).not.toHaveAttribute('data-handoff');
  });
});
