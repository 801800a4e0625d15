import { act, render, screen } from '@testing-library/react';
import { ConnectionQuality, RoomEvent, type Room } from 'livekit-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useConnectionQuality } from '@/features/session/hooks/use-connection-quality';
import {
  POOR_NOTICE_AFTER_MS,
  qualityBars,
  qualityLevel,
} from '@/features/session/lib/connection-quality';
import { ConnectionQualityIndicator, PoorConnectionBanner } from './connection-quality';

type Listener = (...args: unknown[]) => void;

/** The parts of livekit-client's Room the hook reads: the local participant and its events. */
class QualityRoom {
  localParticipant = { identity: 'user-1', connectionQuality: ConnectionQuality.Unknown };
  private listeners = new Set<Listener>();
  on(event: string, listener: Listener) {
    if (event === RoomEvent.ConnectionQualityChanged) this.listeners.add(listener);
    return this;
  }
  off(_event: string, listener: Listener) {
    this.listeners.delete(listener);
    return this;
  }
  score(quality: ConnectionQuality, identity = 'user-1') {
    act(() => {
      for (const l of this.listeners) l(quality, { identity });
    });
  }
}

function Probe({ room }: { room: QualityRoom }) {
  const { level, showNotice } = useConnectionQuality(room as unknown as Room);
  return (
    <>
      <ConnectionQualityIndicator level={level} />
      <PoorConnectionBanner level={level} show={showNotice} />
    </>
  );
}

describe('connection quality', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('maps LiveKit scores to levels and bars', () => {
    expect(qualityLevel(ConnectionQuality.Excellent)).toBe('excellent');
    expect(qualityLevel(ConnectionQuality.Poor)).toBe('poor');
    expect(qualityLevel(ConnectionQuality.Lost)).toBe('lost');
    expect(qualityLevel(undefined)).toBe('unknown');
    expect([qualityBars('excellent'), qualityBars('good'), qualityBars('poor')]).toEqual([3, 2, 1]);
  });

  it('shows the local quality and says so when it stays poor', () => {
    const room = new QualityRoom();
    render(<Probe room={room} />);
    const indicator = screen.getByTestId('connection-quality');
    expect(indicator.dataset.quality).toBe('unknown');

    room.score(ConnectionQuality.Excellent);
    expect(indicator.dataset.quality).toBe('excellent');
    expect(indicator.getAttribute('aria-label')).toBe('Excellent connection');

    room.score(ConnectionQuality.Poor, 'agent-1'); // another participant's score: ignored
    expect(indicator.dataset.quality).toBe('excellent');

    room.score(ConnectionQuality.Poor);
    expect(indicator.dataset.quality).toBe('poor');
    expect(screen.queryByTestId('poor-connection')).toBeNull(); // one bad score: no banner yet
    act(() => vi.advanceTimersByTime(POOR_NOTICE_AFTER_MS));
    expect(screen.getByTestId('poor-connection').textContent).toContain('Your connection is poor');

    room.score(ConnectionQuality.Lost);
    expect(screen.getByTestId('poor-connection').textContent).toContain('Connection lost');

    room.score(ConnectionQuality.Good);
    expect(screen.queryByTestId('poor-connection')).toBeNull();
  });

  it('does not flash the banner for a short dip', () => {
    const room = new QualityRoom();
    render(<Probe room={room} />);
    room.score(ConnectionQuality.Poor);
    act(() => vi.advanceTimersByTime(POOR_NOTICE_AFTER_MS - 500));
    room.score(ConnectionQuality.Good);
    act(() => vi.advanceTimersByTime(POOR_NOTICE_AFTER_MS));
    expect(screen.queryByTestId('poor-connection')).toBeNull();
  });
});
