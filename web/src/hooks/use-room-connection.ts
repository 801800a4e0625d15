'use client';

import {
  ConnectionState,
  RoomEvent,
  type DisconnectReason,
  type Room,
  type RoomConnectOptions,
} from 'livekit-client';
import { useCallback, useEffect, useState } from 'react';
import type { SessionConnection } from '@/contracts';
import {
  classifyConnectError,
  classifyDisconnect,
  type SessionProblem,
} from '@/lib/session/connection-errors';
import { isTokenExpired } from '@/lib/session/session-store';

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
  reconnect: () => void;
  disconnect: () => Promise<void>;
}

const CONNECT_OPTIONS: RoomConnectOptions = { autoSubscribe: true };

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
 */
export function useRoomConnection(
  connection: SessionConnection,
  createRoom: () => Room,
): RoomConnection {
  const [current, setCurrent] = useState(() => ({ attempt: 0, room: createRoom() }));
  const { room, attempt } = current;
  const [state, setState] = useState<ConnectionState>(ConnectionState.Connecting);
  const [problem, setProblem] = useState<{ code: SessionProblem; detail: string | null } | null>(
    null,
  );
  const [endedByServer, setEndedByServer] = useState(false);
  const [connectedAt, setConnectedAt] = useState<number | null>(null);
  const { livekit_url: url, participant_token: token, token_expires_at: expiresAt } = connection;
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
      room.connect(url, token, CONNECT_OPTIONS).catch((error: unknown) => {
        if (!active) return;
        const code = classifyConnectError(error, expiresAt);
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
  }, [room, url, token, expiresAt, expiredBeforeJoin]);

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
    reconnect,
    disconnect,
  };
}
