'use client';

import {
  ConnectionState,
  RoomEvent,
  type DisconnectReason,
  type Room,
  type RoomConnectOptions,
} from 'livekit-client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionConnection } from '@/contracts';
import {
  classifyConnectError,
  classifyDisconnect,
  type SessionProblem,
} from '@/features/session/lib/connection-errors';
import { isApiError } from '@/lib/api/api-error';
import { isTokenExpired } from '@/features/session/lib/session-store';
import {
  applyParticipantToken,
  TOKEN_REFRESH_RETRY_MS,
  tokenRefreshDelayMs,
} from '@/features/session/lib/token-refresh';

export type RoomStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface RoomConnection {
  /** The room of the current attempt; a new one after `reconnect()`. */
  room: Room;
  /** Counts `reconnect()` calls; a key for state that belongs to one attempt. */
  attempt: number;
  status: RoomStatus;
  problem: SessionProblem | null;
  /** The underlying error message of `problem`, for "copy details". */
  problemDetail: string | null;
  /** Set when the server closed the room (the session is over). */
  endedByServer: boolean;
  connectedAt: number | null;
  /** The connection in use: the latest refreshed participant token and its expiry. */
  current: SessionConnection;
  reconnect: () => void;
  disconnect: () => Promise<void>;
}

const CONNECT_OPTIONS: RoomConnectOptions = { autoSubscribe: true };

export interface TokenRefreshOptions {
  /** Asks the API for a new participant token (`POST /sessions/{id}/token`). */
  refresh?: (current: SessionConnection) => Promise<SessionConnection>;
  /** Called with each refreshed connection (e.g. to store it for a reload). */
  onRefreshed?: (next: SessionConnection) => void;
}

function toStatus(state: ConnectionState): RoomStatus {
  switch (state) {
    case ConnectionState.Connected:
      return 'connected';
    case ConnectionState.Reconnecting:
    case ConnectionState.SignalReconnecting:
      return 'reconnecting';
    case ConnectionState.Disconnected:
      return 'disconnected';
    default:
      return 'connecting';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Joins a room with the participant token and keeps it joined while mounted.
 *
 * The lifecycle is idempotent and abort-safe: React Strict Mode (and a fast navigation) mounts,
 * unmounts and mounts again in one go, so the connection starts only once the mount has
 * survived the current task; the aborted mount never opens a connection that its cleanup would
 * abort (livekit-client's aborted attempt keeps unwinding after `disconnect()` and breaks the
 * next attempt on the same room). Each attempt ("Try again") gets a fresh `Room` from
 * `createRoom`, and an attempt cancelled on purpose is never reported as a failure.
 * Transient drops are healed by livekit-client's own reconnect policy; this hook only reports
 * them and turns unrecoverable failures into a {@link SessionProblem}.
 *
 * With `refresh`, a long session never outlives its participant token: a minute before the
 * token expires a new one is requested and applied to the live room (used when livekit-client
 * resumes or rejoins after a drop, and by "Try again"); a refused refresh (`session_ended`)
 * ends the session, a failed one is tried again shortly.
 */
export function useRoomConnection(
  connection: SessionConnection,
  createRoom: () => Room,
  { refresh, onRefreshed }: TokenRefreshOptions = {},
): RoomConnection {
  const [current, setCurrent] = useState(() => ({ attempt: 0, room: createRoom() }));
  const { room, attempt } = current;
  const [state, setState] = useState<ConnectionState>(ConnectionState.Connecting);
  const [problem, setProblem] = useState<{ code: SessionProblem; detail: string | null } | null>(
    null,
  );
  const [endedByServer, setEndedByServer] = useState(false);
  const [connectedAt, setConnectedAt] = useState<number | null>(null);
  const [live, setLive] = useState(connection);
  const liveRef = useRef(connection);
  const [refreshTry, setRefreshTry] = useState(0);
  const { livekit_url: url, token_expires_at: expiresAt } = connection;
  const expiredBeforeJoin = attempt === 0 && isTokenExpired(expiresAt);

  useEffect(() => {
    if (expiredBeforeJoin) return;
    let active = true;

    const onState = (next: ConnectionState) => {
      if (active) setState(next);
    };
    const onDisconnected = (reason?: DisconnectReason) => {
      if (!active) return;
      const outcome = classifyDisconnect(reason);
      if (outcome === 'ended') setEndedByServer(true);
      else if (outcome !== 'ignore') {
        setProblem({ code: outcome, detail: `disconnect reason ${String(reason)}` });
      }
    };
    const onConnected = () => {
      if (active) setConnectedAt((previous) => previous ?? Date.now());
    };
    room.on(RoomEvent.ConnectionStateChanged, onState);
    room.on(RoomEvent.Disconnected, onDisconnected);
    room.on(RoomEvent.Connected, onConnected);

    const start = setTimeout(() => {
      if (!active) return;
      const joining = liveRef.current;
      room.connect(url, joining.participant_token, CONNECT_OPTIONS).catch((error: unknown) => {
        if (!active) return;
        const code = classifyConnectError(error, joining.token_expires_at);
        if (code) setProblem({ code, detail: messageOf(error) });
      });
    }, 0);

    return () => {
      active = false;
      clearTimeout(start);
      room.off(RoomEvent.ConnectionStateChanged, onState);
      room.off(RoomEvent.Disconnected, onDisconnected);
      room.off(RoomEvent.Connected, onConnected);
      // A no-op for a room that never started connecting (the Strict Mode mount).
      void room.disconnect();
    };
  }, [room, url, expiredBeforeJoin]);

  useEffect(() => {
    if (!refresh || expiredBeforeJoin || endedByServer) return;
    const delay = tokenRefreshDelayMs(live.token_expires_at);
    if (delay === null) return;
    let active = true;
    const timer = setTimeout(
      () => {
        refresh(liveRef.current).then(
          (next) => {
            if (!active) return;
            liveRef.current = next;
            applyParticipantToken(room, next.participant_token);
            setLive(next);
            setRefreshTry(0);
            onRefreshed?.(next);
          },
          (error: unknown) => {
            if (!active) return;
            if (isApiError(error) && error.code === 'session_ended') setEndedByServer(true);
            // Network errors, 429 and 5xx are tried again; a refused token is final (the
            // room keeps the token it has until LiveKit drops it).
            else if (!isApiError(error) || error.retryable) setRefreshTry((n) => n + 1);
          },
        );
      },
      refreshTry === 0 ? delay : TOKEN_REFRESH_RETRY_MS,
    );
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [refresh, onRefreshed, room, live, refreshTry, expiredBeforeJoin, endedByServer]);

  const reconnect = useCallback(() => {
    const next = createRoom();
    setProblem(null);
    setState(ConnectionState.Connecting);
    setCurrent((previous) => ({ attempt: previous.attempt + 1, room: next }));
  }, [createRoom]);

  const disconnect = useCallback(() => room.disconnect(), [room]);

  return {
    room,
    attempt,
    status: toStatus(state),
    problem: expiredBeforeJoin ? 'token-expired' : (problem?.code ?? null),
    problemDetail: expiredBeforeJoin ? `token expired at ${expiresAt}` : (problem?.detail ?? null),
    endedByServer,
    connectedAt,
    current: live,
    reconnect,
    disconnect,
  };
}
