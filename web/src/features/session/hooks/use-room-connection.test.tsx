import { act, render, screen, waitFor } from '@testing-library/react';
import {
  ConnectionError,
  ConnectionState,
  DisconnectReason,
  RoomEvent,
  type Room,
} from 'livekit-client';
import { StrictMode, useEffect } from 'react';
import { describe, expect, it } from 'vitest';
import type { SessionConnection } from '@/contracts';
import { useRoomConnection, type RoomConnection } from './use-room-connection';

type Listener = (...args: unknown[]) => void;

/** How long the fake server takes to answer a join. */
const JOIN_MS = 40;
const settle = () => act(() => new Promise((r) => setTimeout(r, 4 * JOIN_MS)));

/**
 * A stand-in for livekit-client's `Room` that keeps the parts of its connect/disconnect contract
 * the session depends on: `disconnect()` while connecting rejects that `connect()` as cancelled,
 * and the aborted attempt keeps unwinding afterwards, failing a newer attempt on the same room
 * (livekit closes the engine the new attempt uses). `server` decides how a join ends.
 */
class FakeRoom {
  static all: FakeRoom[] = [];
  state = ConnectionState.Disconnected;
  connectCalls = 0;
  disconnectCalls = 0;
  private listeners = new Map<string, Set<Listener>>();
  private pending: { reject: (e: unknown) => void } | null = null;
  private unwinding = false;

  constructor(private server: () => 'join' | 'unreachable' = () => 'join') {
    FakeRoom.all.push(this);
  }

  on(event: string, listener: Listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }

  off(event: string, listener: Listener) {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  private emit(event: string, ...args: unknown[]) {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }

  private setState(state: ConnectionState) {
    this.state = state;
    this.emit(RoomEvent.ConnectionStateChanged, state);
  }

  connect = (): Promise<void> => {
    this.connectCalls += 1;
    if (this.state === ConnectionState.Connected) return Promise.resolve();
    this.setState(ConnectionState.Connecting);
    return new Promise<void>((resolve, reject) => {
      this.pending = { reject };
      setTimeout(() => {
        if (this.pending?.reject !== reject) return;
        this.pending = null;
        if (this.unwinding) {
          this.setState(ConnectionState.Disconnected);
          reject(new Error('could not establish signal connection'));
        } else if (this.server() === 'unreachable') {
          this.setState(ConnectionState.Disconnected);
          reject(ConnectionError.serverUnreachable('could not establish signal connection'));
        } else {
          this.setState(ConnectionState.Connected);
          this.emit(RoomEvent.Connected);
          resolve();
        }
      }, JOIN_MS);
    });
  };

  disconnect = async (): Promise<void> => {
    this.disconnectCalls += 1;
    if (this.state === ConnectionState.Disconnected) return;
    if (this.state === ConnectionState.Connecting && this.pending) {
      this.pending.reject(ConnectionError.cancelled('Client initiated disconnect'));
      this.pending = null;
      this.unwinding = true;
      setTimeout(() => (this.unwinding = false), 3 * JOIN_MS);
    }
    this.setState(ConnectionState.Disconnected);
    this.emit(RoomEvent.Disconnected, DisconnectReason.CLIENT_INITIATED);
  };
}

const CONNECTION: SessionConnection = {
  session_id: 'session-1',
  room_name: 'room-1',
  livekit_url: 'ws://127.0.0.1:7880',
  participant_token: 'token',
  participant_identity: 'user-1',
  token_expires_at: new Date(Date.now() + 600_000).toISOString(),
};

/** The hook's latest result, for calling `disconnect()` / `reconnect()` from a test. */
const latest: { current: RoomConnection | null } = { current: null };

function Harness({ createRoom }: { createRoom: () => Room }) {
  const connection = useRoomConnection(CONNECTION, createRoom);
  useEffect(() => {
    latest.current = connection;
  });
  return (
    <p>
      <span data-testid="status">{connection.status}</span>
      <span data-testid="problem">{connection.problem ?? 'none'}</span>
    </p>
  );
}

function fakeFactory(server?: () => 'join' | 'unreachable') {
  FakeRoom.all = [];
  return () => new FakeRoom(server) as unknown as Room;
}

const connectedRooms = () => FakeRoom.all.filter((r) => r.state === ConnectionState.Connected);

describe('useRoomConnection', () => {
  it('ends a Strict Mode double mount with one connected room and no error', async () => {
    render(
      <StrictMode>
        <Harness createRoom={fakeFactory()} />
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('status')).toHaveTextContent(/^connected$/));
    // Let any aborted attempt finish unwinding: it must not turn into a problem.
    await settle();
    expect(screen.getByTestId('problem')).toHaveTextContent(/^none$/);
    expect(screen.getByTestId('status')).toHaveTextContent(/^connected$/);
    expect(connectedRooms()).toHaveLength(1);
    expect(FakeRoom.all.reduce((n, r) => n + r.connectCalls, 0)).toBe(1);
  });

  it('does not report an attempt that was disconnected on purpose', async () => {
    render(<Harness createRoom={fakeFactory()} />);
    await waitFor(() => expect(FakeRoom.all[0]?.state).toBe(ConnectionState.Connecting), {
      interval: 2,
    });
    await act(() => latest.current!.disconnect());
    await settle();
    expect(screen.getByTestId('problem')).toHaveTextContent(/^none$/);
    expect(screen.getByTestId('status')).toHaveTextContent(/^disconnected$/);
  });

  it('disconnects on unmount without starting a new connection', async () => {
    const { unmount } = render(<Harness createRoom={fakeFactory()} />);
    await waitFor(() => expect(FakeRoom.all[0]?.state).toBe(ConnectionState.Connecting), {
      interval: 2,
    });
    unmount();
    await new Promise((r) => setTimeout(r, 4 * JOIN_MS));
    expect(connectedRooms()).toHaveLength(0);
    expect(FakeRoom.all[0]?.disconnectCalls).toBeGreaterThan(0);
  });

  it('reports LiveKit being unreachable, and "Try again" ends with one connected room', async () => {
    let reachable = false;
    render(
      <StrictMode>
        <Harness createRoom={fakeFactory(() => (reachable ? 'join' : 'unreachable'))} />
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('problem')).toHaveTextContent(/^network$/));
    expect(latest.current!.problemDetail).toMatch(/could not establish signal connection/);
    reachable = true;
    act(() => latest.current!.reconnect());
    await waitFor(() => expect(screen.getByTestId('status')).toHaveTextContent(/^connected$/));
    await settle();
    expect(screen.getByTestId('problem')).toHaveTextContent(/^none$/);
    expect(connectedRooms()).toHaveLength(1);
    expect(latest.current!.room).toBe(connectedRooms()[0]);
  });
});
