import type { AgentState } from '@livekit/components-react';

/** The states the session UI distinguishes; the word is shown verbatim in `agent-state`. */
export type DisplayAgentState =
  'connecting' | 'initializing' | 'listening' | 'thinking' | 'speaking' | 'disconnected' | 'failed';

/** Maps LiveKit's agent state (the `lk.agent.state` attribute, via the hooks) to what we show. */
export function toDisplayAgentState(state: AgentState | undefined): DisplayAgentState {
  switch (state) {
    case 'listening':
    case 'thinking':
    case 'speaking':
    case 'initializing':
    case 'disconnected':
    case 'failed':
    case 'connecting':
      return state;
    // An idle agent is waiting for the user to talk.
    case 'idle':
      return 'listening';
    // The agent is joining while it buffers what the user says.
    case 'pre-connect-buffering':
      return 'initializing';
    default:
      return 'connecting';
  }
}
