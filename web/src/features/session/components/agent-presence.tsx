'use client';

import { BarVisualizer, type AgentState, type TrackReference } from '@livekit/components-react';
import type { DisplayAgentState } from '@/features/session/lib/agent-state';
import type { SessionPhase } from '@/features/session/lib/session-phase';
import styles from './session.module.css';

export function AgentPresence({
  agentName,
  state,
  rawState,
  audioTrack,
  phase,
  hint,
}: {
  agentName: string | undefined;
  state: DisplayAgentState;
  rawState: AgentState;
  audioTrack: TrackReference | undefined;
  phase: SessionPhase;
  /** What is happening, in plain words (joining, waiting for the agent, speaking…). */
  hint: string;
}) {
  const initial = (agentName ?? 'A').trim().charAt(0).toUpperCase();
  return (
    <section className={styles.presence} data-state={state} aria-label="Agent">
      <div className={styles.orb}>
        <div className={styles.orbRing} aria-hidden="true" />
        <div className={styles.orbCore}>
          {/* key: re-mount on handoff so the name change is visibly animated. */}
          <span key={agentName} className={styles.orbInitial} aria-hidden="true">
            {initial}
          </span>
        </div>
      </div>
      <div className={styles.agentVisualizer} data-testid="agent-visualizer">
        <BarVisualizer
          track={audioTrack}
          state={rawState}
          barCount={7}
          options={{ minHeight: 12, maxHeight: 100 }}
        />
      </div>
      <div className={styles.stateRow} aria-live="polite">
        <span className={styles.statePill}>
          <span className={styles.stateDot} aria-hidden="true" />
          <span data-testid="agent-state">{state}</span>
        </span>
        <span className={styles.stateHint} data-testid="session-phase" data-phase={phase}>
          {hint}
        </span>
      </div>
    </section>
  );
}
