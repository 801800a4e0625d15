'use client';

import { RoomAudioRenderer, RoomContext } from '@livekit/components-react';
import { Room, type RoomOptions } from 'livekit-client';
import { useRouter } from 'next/navigation';
import { useCallback, useMemo, useState } from 'react';
import type { SessionConnection } from '@/contracts';
import { MIC_CAPTURE_OPTIONS } from '@/features/session/hooks/use-microphone';
import { useCloseReason } from '@/features/session/hooks/use-close-reason';
import { useRoomConnection } from '@/features/session/hooks/use-room-connection';
import { describeCloseReason } from '@/features/session/lib/close-reason';
import { isApiError } from '@/lib/api/api-error';
import { readSession, refreshSessionToken, startSession } from '@/lib/api/sessions';
import { SESSION_PROBLEMS, type SessionProblem } from '@/features/session/lib/connection-errors';
import {
  clearSession,
  saveSession,
  type StoredSession,
} from '@/features/session/lib/session-store';
import { formatDuration } from '@/features/session/lib/format-duration';
import { Button, ButtonLink } from '@/components/ui/button';
import { AlertIcon, PhoneOffIcon } from '@/components/ui/icons';
import { CopyDetailsButton } from './copy-details-button';
import { SessionExpired } from './session-page-client';
import { SessionNotice } from './session-notice';
import { RecordingIndicator } from './recording-notice';
import { SessionStage } from './session-stage';

const ROOM_OPTIONS: RoomOptions = {
  adaptiveStream: true,
  dynacast: true,
  disconnectOnPageLeave: true,
  audioCaptureDefaults: MIC_CAPTURE_OPTIONS,
};

/** A fresh room per connection attempt (see useRoomConnection). */
function createSessionRoom(): Room {
  return new Room(ROOM_OPTIONS);
}

/** Owns the LiveKit room for one session and switches between live, problem and ended views. */
export function SessionRoom({ sessionId, stored }: { sessionId: string; stored: StoredSession }) {
  const { response, embedKey } = stored;
  const tokenRefresh = useMemo(
    () => ({
      refresh: (current: SessionConnection) =>
        refreshSessionToken(current.session_id, current.participant_token),
      // A reload of the page rejoins with the latest token, not the expired first one.
      onRefreshed: (next: SessionConnection) =>
        saveSession({ ...response, connection: next }, { embedKey }),
    }),
    [response, embedKey],
  );
  const connection = useRoomConnection(response.connection, createSessionRoom, tokenRefresh);
  const { room } = connection;
  const router = useRouter();
  const [endedAt, setEndedAt] = useState<number | null>(null);
  const [restartError, setRestartError] = useState<string | null>(null);
  const [restarting, setRestarting] = useState(false);
  // Why the server ended it (a lost agent, the time limit, ...), read once it is over.
  const readClose = useCallback(
    () => readSession(sessionId, response.connection.participant_token),
    [sessionId, response.connection.participant_token],
  );
  const closeReason = useCloseReason(connection.endedByServer && endedAt === null, readClose);

  const endSession = useCallback(async () => {
    setEndedAt(Date.now());
    clearSession(sessionId);
    await connection.disconnect();
  }, [connection, sessionId]);

  /** Starts a fresh session from the same embed key (when known), else rejoins this room. */
  const retry = useCallback(async () => {
    if (!embedKey) {
      connection.reconnect();
      return;
    }
    setRestarting(true);
    setRestartError(null);
    try {
      await connection.disconnect();
      const next = await startSession({ embed_key: embedKey });
      saveSession(next, { embedKey });
      clearSession(sessionId);
      router.replace(`/s/${encodeURIComponent(next.connection.session_id)}`);
    } catch (error) {
      setRestartError(isApiError(error) ? error.message : 'Could not start a new conversation.');
      setRestarting(false);
    }
  }, [connection, embedKey, router, sessionId]);

  if (endedAt !== null || connection.endedByServer) {
    const seconds =
      connection.connectedAt !== null && endedAt !== null
        ? (endedAt - connection.connectedAt) / 1000
        : null;
    const ended = describeCloseReason(endedAt !== null ? 'user_left' : closeReason);
    return (
      <SessionNotice
        tone={ended.tone}
        testId="session-ended"
        icon={<PhoneOffIcon size={26} />}
        title={ended.title}
        actions={
          embedKey ? (
            <ButtonLink href={`/embed/${encodeURIComponent(embedKey)}`}>
              Start a new conversation
            </ButtonLink>
          ) : (
            <ButtonLink href="/" variant="secondary">
              Back to Troupe
            </ButtonLink>
          )
        }
      >
        <p data-testid="session-ended-reason" data-reason={closeReason ?? ''}>
          {ended.text}
        </p>
        {seconds !== null && <p>Duration: {formatDuration(seconds)}</p>}
      </SessionNotice>
    );
  }

  if (connection.problem === 'token-expired') return <SessionExpired embedKey={embedKey} />;
  if (connection.problem) {
    return (
      <ProblemNotice
        problem={connection.problem}
        sessionId={sessionId}
        detail={connection.problemDetail}
        onRetry={connection.reconnect}
        busy={false}
        error={null}
      />
    );
  }

  return (
    <RoomContext.Provider value={room}>
      <RecordingIndicator recording={response.recording} />
      <SessionStage
        key={connection.attempt}
        room={room}
        connection={connection}
        onEnd={endSession}
        modalityProfile={response.modality_profile}
        enabledPanels={response.enabled_panels}
        renderAgentUnavailable={(reset) => (
          <ProblemNotice
            problem="agent-unavailable"
            sessionId={sessionId}
            detail={null}
            busy={restarting}
            error={restartError}
            onRetry={() => {
              reset();
              void retry();
            }}
          />
        )}
      />
      <RoomAudioRenderer room={room} />
    </RoomContext.Provider>
  );
}

function ProblemNotice({
  problem,
  sessionId,
  detail,
  onRetry,
  busy,
  error,
}: {
  problem: SessionProblem;
  sessionId: string;
  /** The underlying error, for "copy details". */
  detail: string | null;
  onRetry: () => void;
  busy: boolean;
  error: string | null;
}) {
  const copy = SESSION_PROBLEMS[problem];
  return (
    <SessionNotice
      tone="danger"
      testId="session-problem"
      icon={<AlertIcon size={26} />}
      title={copy.title}
      actions={
        <>
          <Button onClick={onRetry} disabled={busy} data-testid="retry-session">
            {busy ? 'Starting…' : copy.action}
          </Button>
          <CopyDetailsButton code={problem} sessionId={sessionId} message={detail ?? error} />
        </>
      }
    >
      <p data-problem={problem}>{copy.body}</p>
      <p data-testid="problem-fix">{copy.fix}</p>
      {error && <p role="alert">{error}</p>}
    </SessionNotice>
  );
}
