'use client';

import { useConnectionState } from '@livekit/components-react';
import { ConnectionState, RoomEvent, type DisconnectReason, type Room } from 'livekit-client';
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
  status: RoomStatus;
  problem: SessionProblem | null;
  /** Set when the server closed the room (the session is over). */
  endedByServer: boolean;
  connectedAt: number | null;
  reconnect: () => void;
  disconnect: () => Promise<void>;
}

function toStatus(state: ConnectionState): RoomStatus {
  switch (state) {
    case ConnectionState.Connected:
      return 'connected';
    case ConnectionState.Reconnecting:
    case ConnectionState.SignalReconnecting:
      return 'reconnecting';
    case ConnectionState.Connecting:
      return 'connecting';
    default:
      return 'disconnected';
  }
}

/**
 * Joins the room with the participant token and keeps it joined while mounted.
 * Transient drops are healed by livekit-client's own reconnect policy; this hook only reports
 * them and turns unrecoverable failures into a {@link SessionProblem}.
 */
export function useRoomConnection(room: Room, connection: SessionConnection): RoomConnection {
  const connectionState = useConnectionState(room);
  const [attempt, setAttempt] = useState(0);
  const [problem, setProblem] = useState<SessionProblem | null>(null);
  const [endedByServer, setEndedByServer] = useState(false);
  const [connectedAt, setConnectedAt] = useState<number | null>(null);
  const { livekit_url: url, participant_token: token, token_expires_at: expiresAt } = connection;
  const expiredBeforeJoin = attempt === 0 && isTokenExpired(expiresAt);

  useEffect(() => {
    if (expiredBeforeJoin) return;
    let cancelled = false;

    const onDisconnected = (reason?: DisconnectReason) => {
      if (cancelled) return;
      const outcome = classifyDisconnect(reason);
      if (outcome === 'ended') setEndedByServer(true);
      else if (outcome !== 'ignore') setProblem(outcome);
    };
    const onConnected = () => {
      if (!cancelled) setConnectedAt((previous) => previous ?? Date.now());
    };
    room.on(RoomEvent.Disconnected, onDisconnected);
    room.on(RoomEvent.Connected, onConnected);

    room.connect(url, token, { autoSubscribe: true }).catch((error: unknown) => {
      if (!cancelled) setProblem(classifyConnectError(error, expiresAt));
    });

    return () => {
      cancelled = true;
      room.off(RoomEvent.Disconnected, onDisconnected);
      room.off(RoomEvent.Connected, onConnected);
      void room.disconnect();
    };
  }, [room, url, token, expiresAt, attempt, expiredBeforeJoin]);

  const reconnect = useCallback(() => {
    setProblem(null);
    setAttempt((n) => n + 1);
  }, []);

  const disconnect = useCallback(() => room.disconnect(), [room]);

  return {
    status: toStatus(connectionState),
    problem: expiredBeforeJoin ? 'token-expired' : problem,
    endedByServer,
    connectedAt,
    reconnect,
    disconnect,
  };
}
