import { describe, expect, it } from 'vitest';
import { toDisplayAgentState } from './agent-state';

describe('toDisplayAgentState', () => {
  it.each([
    ['listening', 'listening'],
    ['thinking', 'thinking'],
    ['speaking', 'speaking'],
    ['initializing', 'initializing'],
    ['idle', 'listening'],
    ['pre-connect-buffering', 'initializing'],
    ['connecting', 'connecting'],
    ['disconnected', 'disconnected'],
    ['failed', 'failed'],
  ] as const)('%s → %s', (input, expected) => {
    expect(toDisplayAgentState(input)).toBe(expected);
  });

  it('defaults to connecting', () => {
    expect(toDisplayAgentState(undefined)).toBe('connecting');
  });
});
