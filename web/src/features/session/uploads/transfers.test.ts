import type { Room } from 'livekit-client';
import { describe, expect, it, vi } from 'vitest';
import { TOPIC_EVENTS } from '@/contracts';
import { parseAgentEvent, subscribeAgentEvents } from '@/features/session/lib/agent-events';
import { verdictMessage } from './use-file-transfers';

const base = { v: 1, ts: '2026-01-01T00:00:00Z', stream_id: 's1', name: 'r.pdf' };

describe('verdictMessage', () => {
  it('describes a received document', () => {
    const msg = verdictMessage({
      ...base,
      type: 'upload_received',
      mime_type: 'application/pdf',
      size: 10,
      pages: 2,
      chars: 40,
      truncated: false,
      note: null,
    });
    expect(msg).toEqual({ status: 'received', message: 'Shared r.pdf with the agent (2 pages).' });
  });

  it('passes the agent note and the rejection message on', () => {
    const received = verdictMessage({
      ...base,
      type: 'upload_received',
      mime_type: 'image/png',
      size: 10,
      pages: null,
      chars: 0,
      truncated: false,
      note: "This agent can't see images.",
    });
    expect(received.message).toContain("can't see images");
    expect(
      verdictMessage({
        ...base,
        type: 'upload_rejected',
        reason: 'too_large',
        message: 'Too big.',
      }),
    ).toEqual({ status: 'rejected', message: 'Too big.' });
  });
});

describe('subscribeAgentEvents', () => {
  it('shares one text stream handler per room and fans events out', async () => {
    const handlers = new Map<string, (reader: unknown, who: { identity: string }) => void>();
    const room = {
      registerTextStreamHandler: vi.fn((topic: string, h: never) => handlers.set(topic, h)),
      unregisterTextStreamHandler: vi.fn((topic: string) => handlers.delete(topic)),
    } as unknown as Room;
    const a = vi.fn();
    const b = vi.fn();
    const offA = subscribeAgentEvents(room, a);
    const offB = subscribeAgentEvents(room, b);
    expect(room.registerTextStreamHandler).toHaveBeenCalledTimes(1);
    const event = { ...base, type: 'upload_rejected', reason: 'empty', message: 'x' };
    handlers.get(TOPIC_EVENTS)!(
      { readAll: () => Promise.resolve(JSON.stringify(event)) },
      { identity: 'agent-1' },
    );
    await vi.waitFor(() => expect(b).toHaveBeenCalledWith(event, 'agent-1'));
    expect(a).toHaveBeenCalledTimes(1);
    offA();
    offB();
    expect(room.unregisterTextStreamHandler).toHaveBeenCalledWith(TOPIC_EVENTS);
  });

  it('ignores what is not an event', () => {
    expect(parseAgentEvent('nope')).toBeNull();
    expect(parseAgentEvent('{"x":1}')).toBeNull();
  });
});
