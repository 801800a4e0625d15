'use client';

import { BarVisualizer, type AgentState, type TrackReference } from '@livekit/components-react';
import { useState } from 'react';
import type { DisplayAgentState } from '@/features/session/lib/agent-state';
import type { SessionPhase } from '@/features/session/lib/session-phase';
import styles from './session.module.css';

export function AgentPresence({
  agentName,
  avatarUrl,
  state,
  rawState,
  audioTrack,
  phase,
  hint,
}: {
  agentName: string | undefined;
  /** The active agent's avatar (`activeAgentAvatar`); none: the name's initial. */
  avatarUrl?: string;
  state: DisplayAgentState;
  rawState: AgentState;
  audioTrack: TrackReference | undefined;
  phase: SessionPhase;
  /** What is happening, in plain words (joining, waiting for the agent, speaking…). */
  hint: string;
}) {
  return (
    <section className={styles.presence} data-state={state} aria-label="Agent">
      <div className={styles.orb}>
        <div className={styles.orbRing} aria-hidden="true" />
        <div className={styles.orbCore}>
          {/* key: re-mount on handoff so the change of agent is visibly animated (and an image
              that failed for one agent is tried again for the next). */}
          <AgentFace
            key={`${agentName ?? ''}|${avatarUrl ?? ''}`}
            name={agentName}
            src={avatarUrl}
          />
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

/** The speaking agent's avatar image, or the initial of its name (also when the image fails). */
export function AgentFace({ name, src }: { name: string | undefined; src?: string }) {
  const [failed, setFailed] = useState(false);
  if (src && !failed) {
    return (
      // eslint-disable-next-line @next/next/no-img-element -- an uploaded image served by the API
      <img
        className={styles.orbAvatar}
        src={src}
        alt={name ?? 'Agent'}
        data-testid="active-agent-avatar"
        onError={() => setFailed(true)}
      />
    );
  }
  return (
    <span className={styles.orbInitial} aria-hidden="true" data-testid="active-agent-initial">
      {(name ?? 'A').trim().charAt(0).toUpperCase()}
    </span>
  );
}
