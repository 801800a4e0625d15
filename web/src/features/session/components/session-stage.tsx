'use client';

import { useVoiceAssistant } from '@livekit/components-react';
import type { Room } from 'livekit-client';
import type { ReactNode } from 'react';
import { useState } from 'react';
import type { ModalityProfile, PanelType } from '@/contracts';
import { useSessionRpc } from '@/features/session/hooks/use-session-rpc';
import { useVideoPublishing } from '@/features/session/hooks/use-video-publishing';
import { PanelManagerProvider } from '@/panels/panel-context';
import { PanelHost } from '@/panels/panel-host';

import { useAgentJoinTimeout } from '@/features/session/hooks/use-agent-join-timeout';
import { useConnectionQuality } from '@/features/session/hooks/use-connection-quality';
import { useMicrophone } from '@/features/session/hooks/use-microphone';
import type { RoomConnection } from '@/features/session/hooks/use-room-connection';
import { useSessionTimer } from '@/features/session/hooks/use-session-timer';
import { useTranscript } from '@/features/session/hooks/use-transcript';
import { activeAgentAvatar, activeAgentName } from '@/features/session/lib/active-agent';
import { toDisplayAgentState } from '@/features/session/lib/agent-state';
import { phaseLabel, sessionPhase } from '@/features/session/lib/session-phase';
import { formatDuration } from '@/features/session/lib/format-duration';
import { ThemeToggle } from '@/components/theme/theme-toggle';
import { LogoMark } from '@/components/ui/logo';
import { AgentPresence } from './agent-presence';
import { AudioUnlockBanner } from './audio-unlock-banner';
import { CameraPreview } from './camera-preview';
import { ConnectionQualityIndicator, PoorConnectionBanner } from './connection-quality';
import { InteractionLayer, useInteractionsState } from './session-interactions';
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
  modalityProfile = 'audio',
  enabledPanels = [],
}: {
  room: Room;
  modalityProfile?: ModalityProfile;
  enabledPanels?: readonly PanelType[];
  connection: RoomConnection;
  onEnd: () => Promise<void>;
  renderAgentUnavailable: (reset: () => void) => ReactNode;
}) {
  const { agent, state, audioTrack, agentAttributes } = useVoiceAssistant();
  const connected = connection.status === 'connected';
  const waitingForAgent = connected && !agent;
  const agentJoin = useAgentJoinTimeout(waitingForAgent);
  const microphone = useMicrophone(room, connected);
  const quality = useConnectionQuality(room);
  const transcript = useTranscript(room);
  const seconds = useSessionTimer(connection.connectedAt);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const video = useVideoPublishing(room, modalityProfile, connected);
  const interactionState = useInteractionsState();
  const { manager } = useSessionRpc({
    room,
    connected,
    profile: modalityProfile,
    enabledPanels,
    interactions: interactionState.interactions,
    video,
  });

  if (agentJoin.timedOut) return renderAgentUnavailable(agentJoin.reset);

  const agentName = activeAgentName(agentAttributes, agent);
  const avatarUrl = activeAgentAvatar(agentAttributes);
  const displayState = agent
    ? toDisplayAgentState(state)
    : connected
      ? 'initializing'
      : 'connecting';
  const phase = sessionPhase(connection.status, Boolean(agent), displayState);

  return (
    <PanelManagerProvider value={manager}>
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
              <span className={styles.connectionLabel} data-testid="connection-state">
                {connection.status}
              </span>
              {connected && <ConnectionQualityIndicator level={quality.level} />}
            </span>
            <span
              className={styles.timer}
              data-testid="session-timer"
              aria-label="Session duration"
            >
              {formatDuration(seconds)}
            </span>
            <ThemeToggle />
          </div>
        </header>

        <div className={styles.body} data-workspace={enabledPanels.length ? undefined : 'none'}>
          <main className={styles.conversation}>
            <AgentPresence
              agentName={agentName}
              avatarUrl={avatarUrl}
              state={displayState}
              rawState={state}
              audioTrack={audioTrack}
              phase={phase}
              hint={phaseLabel(phase, agentName)}
            />
            <AudioUnlockBanner room={room} />
            <MicrophoneIssueBanner issue={microphone.issue} onRetry={microphone.retry} />
            <PoorConnectionBanner level={quality.level} show={connected && quality.showNotice} />
            <TranscriptList entries={transcript} agentName={agentName} />
            <CameraPreview room={room} video={video} />
          </main>
          <WorkspaceSlot enabledPanels={enabledPanels} />
        </div>

        <SessionControls
          room={room}
          microphone={microphone}
          connected={connected}
          video={video}
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
        <InteractionLayer {...interactionState} />
      </div>
    </PanelManagerProvider>
  );
}

/**
 * Where the panels the agent opens appear. A template without panels has no workspace: no empty
 * "Shared workspace" box, the conversation takes the width.
 */
export function WorkspaceSlot({ enabledPanels }: { enabledPanels: readonly PanelType[] }) {
  if (enabledPanels.length === 0) return null;
  return (
    <aside className={styles.workspace} aria-label="Workspace" data-testid="workspace-slot">
      <PanelHost
        empty={
          <div className={styles.workspaceEmpty}>
            <strong>Shared workspace</strong>
            <span>Slides, notes, code and documents the agent opens will appear here.</span>
          </div>
        }
      />
    </aside>
  );
}
