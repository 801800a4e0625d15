import { act, render } from '@testing-library/react';
import { ConnectionState, RoomEvent, type Room } from 'livekit-client';
import { useEffect } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionConnection } from '@/contracts';
import { ApiError } from '@/lib/api/api-error';
import { TOKEN_REFRESH_BEFORE_MS } from '@/features/session/lib/token-refresh';
import { useRoomConnection, type RoomConnection } from './use-room-connection';

type Listener = (...args: unknown[]) => void;

/**
 * The parts of livekit-client's `Room` the refresh relies on: `connect()` keeps the token on the
 * room's engine, and a resume/rejoin after a drop presents `engine.token` again.
 */
class TokenRoom {
  state = ConnectionState.Disconnected;
  connectCalls = 0;
  engine: { token?: string } = {};
  private listeners = new Map<string, Set<Listener>>();

  on(event: string, listener: Listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }

  off(event: string, listener: Listener) {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  connect = async (_url: string, token: string): Promise<void> => {
    this.connectCalls += 1;
    this.engine.token = token;
    this.state = ConnectionState.Connected;
    for (const l of this.listeners.get(RoomEvent.ConnectionStateChanged) ?? []) l(this.state);
    for (const l of this.listeners.get(RoomEvent.Connected) ?? []) l();
  };

  disconnect = async (): Promise<void> => {
    this.state = ConnectionState.Disconnected;
  };
}

const T0 = Date.parse('2026-12-06T10:00:00Z');
const MINUTE = 60_000;

function connection(token: string, expiresInMs: number): SessionConnection {
  return {
    session_id: 'session-1',
    room_name: 'room-1',
    livekit_url: 'ws://127.0.0.1:7880',
    participant_token: token,
    participant_identity: 'user-1',
    token_expires_at: new Date(Date.now() + expiresInMs).toISOString(),
  };
}

const latest: { current: RoomConnection | null } = { current: null };

function Harness(props: {
  initial: SessionConnection;
  room: TokenRoom;
  refresh: (c: SessionConnection) => Promise<SessionConnection>;
  onRefreshed: (c: SessionConnection) => void;
}) {
  const conn = useRoomConnection(props.initial, () => props.room as unknown as Room, {
    refresh: props.refresh,
    onRefreshed: props.onRefreshed,
  });
  useEffect(() => {
    latest.current = conn;
  });
  return null;
}

const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

describe('useRoomConnection token refresh', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('requests a new token before the current one expires and applies it to the live room', async () => {
    const room = new TokenRoom();
    let issued = 1;
    const refresh = vi.fn(async (current: SessionConnection) => {
      expect(current.session_id).toBe('session-1');
      issued += 1;
      return connection(`token-${issued}`, 15 * MINUTE);
    });
    const onRefreshed = vi.fn();
    render(
      <Harness
        initial={connection('token-1', 15 * MINUTE)}
        room={room}
        refresh={refresh}
        onRefreshed={onRefreshed}
      />,
    );
    await advance(0);
    expect(room.engine.token).toBe('token-1');
    expect(latest.current?.status).toBe('connected');

    // Not yet: more than a minute of validity left.
    await advance(15 * MINUTE - TOKEN_REFRESH_BEFORE_MS - 1_000);
    expect(refresh).not.toHaveBeenCalled();

    // A minute before expiry: refreshed with the current token, applied without rejoining.
    await advance(1_000);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh.mock.calls[0]?.[0].participant_token).toBe('token-1');
    expect(room.engine.token).toBe('token-2');
    expect(room.connectCalls).toBe(1);
    expect(onRefreshed).toHaveBeenCalledWith(
      expect.objectContaining({ participant_token: 'token-2' }),
    );
    expect(latest.current?.current.participant_token).toBe('token-2');
    expect(latest.current?.status).toBe('connected');
    expect(latest.current?.endedByServer).toBe(false);

    // And again before the new token expires, presenting the new one.
    await advance(15 * MINUTE - TOKEN_REFRESH_BEFORE_MS);
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(refresh.mock.calls[1]?.[0].participant_token).toBe('token-2');
    expect(room.engine.token).toBe('token-3');
    expect(room.connectCalls).toBe(1);
  });

  it('tries a failed refresh again and ends the session when the API says it ended', async () => {
    const room = new TokenRoom();
    const refresh = vi
      .fn<(c: SessionConnection) => Promise<SessionConnection>>()
      .mockRejectedValueOnce(new ApiError(0, 'network_error', 'offline'))
      .mockRejectedValueOnce(new ApiError(409, 'session_ended', 'The session has ended.'));
    render(
      <Harness
        initial={connection('token-1', 5 * MINUTE)}
        room={room}
        refresh={refresh}
        onRefreshed={vi.fn()}
      />,
    );
    await advance(5 * MINUTE - TOKEN_REFRESH_BEFORE_MS);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(latest.current?.endedByServer).toBe(false);
    await advance(15_000);
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(latest.current?.endedByServer).toBe(true);
    expect(room.engine.token).toBe('token-1');
  });
});
