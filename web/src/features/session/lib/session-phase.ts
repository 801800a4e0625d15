import type { DisplayAgentState } from './agent-state';

/**
 * What the session page tells the user while it joins and runs, one phase at a time:
 * joining the room → waiting for the agent → the agent getting ready → listening / thinking /
 * speaking.
 */
export type SessionPhase =
  | 'joining'
  | 'reconnecting'
  | 'waiting-for-agent'
  | 'agent-starting'
  | 'agent-listening'
  | 'agent-thinking'
  | 'agent-speaking'
  | 'disconnected';

export function sessionPhase(
  status: 'connecting' | 'connected' | 'reconnecting' | 'disconnected',
  agentJoined: boolean,
  agentState: DisplayAgentState,
): SessionPhase {
  if (status === 'connecting') return 'joining';
  if (status === 'reconnecting') return 'reconnecting';
  if (status === 'disconnected') return 'disconnected';
  if (!agentJoined) return 'waiting-for-agent';
  switch (agentState) {
    case 'listening':
      return 'agent-listening';
    case 'thinking':
      return 'agent-thinking';
    case 'speaking':
      return 'agent-speaking';
    case 'disconnected':
    case 'failed':
      return 'disconnected';
    default:
      return 'agent-starting';
  }
}

/** The phase in plain words; `agentName` when the agent has told us its name. */
export function phaseLabel(phase: SessionPhase, agentName?: string): string {
  const who = agentName ?? 'The agent';
  switch (phase) {
    case 'joining':
      return 'Joining the conversation…';
    case 'reconnecting':
      return 'Connection lost, reconnecting…';
    case 'waiting-for-agent':
      return 'Waiting for the agent to join…';
    case 'agent-starting':
      return `${who} is getting ready…`;
    case 'agent-listening':
      return `${who} is listening. Go ahead and talk.`;
    case 'agent-thinking':
      return `${who} is thinking…`;
    case 'agent-speaking':
      return `${who} is speaking`;
    case 'disconnected':
      return 'Not connected';
  }
}
