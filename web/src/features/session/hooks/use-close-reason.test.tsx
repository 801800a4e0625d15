import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionRead } from '@/contracts';
import { describeCloseReason } from '@/features/session/lib/close-reason';
import { useCloseReason } from './use-close-reason';

function session(close_reason: string | null): SessionRead {
  return {
    id: 's',
    organization_id: 'o',
    template_id: null,
    room_name: 'r',
    status: close_reason ? 'failed' : 'active',
    end_user_id: null,
    created_at: '2026-12-06T00:00:00Z',
    started_at: null,
    ended_at: null,
    duration_seconds: null,
    close_reason,
  };
}

describe('useCloseReason', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks nothing while the session is not ended by the server', async () => {
    const read = vi.fn(async () => session('agent_lost'));
    const { result } = renderHook(() => useCloseReason(false, read));
    await act(async () => vi.advanceTimersByTimeAsync(10_000));
    expect(read).not.toHaveBeenCalled();
    expect(result.current).toBeNull();
  });

  it('asks again until the API has stored the reason', async () => {
    const answers: (() => SessionRead)[] = [
      () => session(null),
      () => {
        throw new Error('offline');
      },
      () => session('agent_lost'),
    ];
    const read = vi.fn(async () => answers.shift()!());
    const { result } = renderHook(() => useCloseReason(true, read, { intervalMs: 500 }));
    await act(async () => vi.advanceTimersByTimeAsync(0));
    expect(result.current).toBeNull();
    await act(async () => vi.advanceTimersByTimeAsync(1000));
    expect(read).toHaveBeenCalledTimes(3);
    expect(result.current).toBe('agent_lost');
    await act(async () => vi.advanceTimersByTimeAsync(5000));
    expect(read).toHaveBeenCalledTimes(3);
  });

  it('gives up after a bounded number of tries', async () => {
    const read = vi.fn(async () => session(null));
    const { result } = renderHook(() => useCloseReason(true, read, { tries: 3, intervalMs: 100 }));
    await act(async () => vi.advanceTimersByTimeAsync(10_000));
    expect(read).toHaveBeenCalledTimes(3);
    expect(result.current).toBeNull();
  });
});

describe('describeCloseReason', () => {
  it('names a lost agent as a problem on our side', () => {
    const text = describeCloseReason('agent_lost');
    expect(text.tone).toBe('danger');
    expect(text.text).toMatch(/technical problem on our side/);
  });

  it('says why a normal end happened and falls back for unknown reasons', () => {
    expect(describeCloseReason('max_duration').text).toMatch(/time limit/);
    expect(describeCloseReason('idle').text).toMatch(/silence/);
    expect(describeCloseReason('something_new').text).toBe('Thanks for talking with us.');
    expect(describeCloseReason(null).title).toBe('Conversation ended');
  });
});
