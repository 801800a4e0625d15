'use client';

import { useVoiceAssistant } from '@livekit/components-react';
import type { Room } from 'livekit-client';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useAgentJoinTimeout } from '@/hooks/use-agent-join-timeout';
import { useMicrophone } from '@/hooks/use-microphone';
import type { RoomConnection } from '@/hooks/use-room-connection';
import { useSessionTimer } from '@/hooks/use-session-timer';
import { useTranscript } from '@/hooks/use-transcript';
import { activeAgentName } from '@/lib/session/active-agent';
import { toDisplayAgentState } from '@/lib/session/agent-state';
import { formatDuration } from '@/lib/format-duration';
import { ThemeToggle } from '@/components/theme/theme-toggle';
import { LogoMark } from '@/components/ui/logo';
import { AgentPresence } from './agent-presence';
import { AudioUnlockBanner } from './audio-unlock-banner';
import { EndSessionDialog } from './end-session-dialog';
import { MicrophoneIssueBanner } from './microphone-issue-banner';
import { SessionControls } from './session-controls';
import { TranscriptList } from './transcript-list';
import styles from './session.module.css';

export function SessionStage({
  room,
  connection,
  onEnd,
  renderAgentUnavailable,
}: {
  room: Room;
  connection: RoomConnection;
  onEnd: () => Promise<void>;
  renderAgentUnavailable: (reset: () => void) => ReactNode;
}) {
  const { agent, state, audioTrack, agentAttributes } = useVoiceAssistant();
  const connected = connection.status === 'connected';
  const waitingForAgent = connected && !agent;
  const agentJoin = useAgentJoinTimeout(waitingForAgent);
  const microphone = useMicrophone(room, connected);
  const transcript = useTranscript(room);
  const seconds = useSessionTimer(connection.connectedAt);
  const [confirmOpen, setConfirmOpen] = useState(false);

  if (agentJoin.timedOut) return renderAgentUnavailable(agentJoin.reset);

  const agentName = activeAgentName(agentAttributes, agent);
  const displayState = agent
    ? toDisplayAgentState(state)
    : connected
      ? 'initializing'
      : 'connecting';

  return (
    <div className={styles.session} data-testid="session-root">
      <header className={styles.topbar}>
        <div className={styles.identity}>
          <LogoMark size={28} />
          <div className={styles.identityText}>
            <span className={styles.identityLabel}>You’re talking to</span>
            <span className={styles.agentName} data-testid="active-agent">
              {agentName ?? 'Agent'}
            </span>
          </div>
        </div>
        <div className={styles.topbarMeta}>
          <span className={styles.connection} data-status={connection.status}>
            <span className={styles.connectionDot} aria-hidden="true" />
            <span data-testid="connection-state">{connection.status}</span>
          </span>
          <span className={styles.timer} data-testid="session-timer" aria-label="Session duration">
            {formatDuration(seconds)}
          </span>
          <ThemeToggle />
        </div>
      </header>

      <div className={styles.body}>
        <main className={styles.conversation}>
          <AgentPresence
            agentName={agentName}
            state={displayState}
            rawState={state}
            audioTrack={audioTrack}
            waitingHint={
              connection.status === 'connecting'
                ? 'Connecting…'
                : connection.status === 'reconnecting'
                  ? 'Reconnecting…'
                  : !agent
                    ? 'Waiting for the agent…'
                    : undefined
            }
          />
          <AudioUnlockBanner room={room} />
          <MicrophoneIssueBanner issue={microphone.issue} onRetry={microphone.retry} />
          <TranscriptList entries={transcript} agentName={agentName} />
        </main>
        <aside className={styles.workspace} aria-label="Workspace" data-testid="workspace-slot">
          <div className={styles.workspaceEmpty}>
            <strong>Shared workspace</strong>
            <span>Slides, notes, code and documents the agent opens will appear here.</span>
          </div>
        </aside>
      </div>

      <SessionControls
        room={room}
        microphone={microphone}
        connected={connected}
        onEndRequested={() => setConfirmOpen(true)}
      />
      <EndSessionDialog
        open={confirmOpen}
        onCancel={() => setConfirmOpen(false)}
        onConfirm={() => {
          setConfirmOpen(false);
          void onEnd();
        }}
      />
    </div>
  );
}
