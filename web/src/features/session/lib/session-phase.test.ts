import { describe, expect, it } from 'vitest';
import { phaseLabel, sessionPhase } from './session-phase';

describe('sessionPhase', () => {
  it.each([
    ['connecting', false, 'connecting', 'joining'],
    ['reconnecting', true, 'listening', 'reconnecting'],
    ['connected', false, 'initializing', 'waiting-for-agent'],
    ['connected', true, 'initializing', 'agent-starting'],
    ['connected', true, 'listening', 'agent-listening'],
    ['connected', true, 'thinking', 'agent-thinking'],
    ['connected', true, 'speaking', 'agent-speaking'],
    ['connected', true, 'failed', 'disconnected'],
    ['disconnected', true, 'speaking', 'disconnected'],
  ] as const)('%s, agent joined %s, %s → %s', (status, joined, state, expected) => {
    expect(sessionPhase(status, joined, state)).toBe(expected);
  });

  it('says what is happening in plain words, with the agent’s name once known', () => {
    expect(phaseLabel('joining')).toBe('Joining the conversation…');
    expect(phaseLabel('waiting-for-agent')).toBe('Waiting for the agent to join…');
    expect(phaseLabel('agent-speaking', 'Ava')).toBe('Ava is speaking');
    expect(phaseLabel('agent-listening', 'Max')).toBe('Max is listening. Go ahead and talk.');
    expect(phaseLabel('agent-thinking')).toBe('The agent is thinking…');
  });
});
