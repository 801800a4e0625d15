import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOPIC_TRANSIENT, TRANSIENT_MAX_BYTES, type PanelPointer } from '@/contracts';
import {
  createPointerThrottle,
  encodePointer,
  POINTER_INTERVAL_MS,
  sendTransient,
} from './transient';

const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as PanelPointer;

describe('lossy pointer updates', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('go on the unreliable data channel, on the transient topic', async () => {
    const publishData = vi.fn(async () => {});
    await sendTransient({ localParticipant: { publishData } } as never, new Uint8Array([1]));
    expect(publishData).toHaveBeenCalledWith(new Uint8Array([1]), {
      reliable: false,
      topic: TOPIC_TRANSIENT,
    });
  });

  it('fit one packet: a long stroke keeps its latest points', () => {
    const stroke = Array.from({ length: 2000 }, (_, i) => 1000 + i + 0.123);
    const bytes = encodePointer('whiteboard', 7, { x: 1, y: 2, drawing: true, stroke });
    expect(bytes.length).toBeLessThanOrEqual(TRANSIENT_MAX_BYTES);
    const pointer = decode(bytes);
    expect(pointer).toMatchObject({
      type: 'panel_pointer',
      panel: 'whiteboard',
      seq: 7,
      drawing: true,
    });
    expect(pointer.stroke.length % 2).toBe(0);
    expect(pointer.stroke.at(-1)).toBe(2999.1);
  });

  it('are throttled per panel, the latest position winning, with rising seq', () => {
    const sent: PanelPointer[] = [];
    const throttle = createPointerThrottle((bytes) => sent.push(decode(bytes)));
    throttle.push('whiteboard', { x: 1, y: 1 });
    throttle.push('whiteboard', { x: 2, y: 2 });
    throttle.push('whiteboard', { x: 3, y: 3 });
    throttle.push('slides', { x: 0.5, y: 0.5 });
    expect(sent.map((p) => [p.panel, p.x])).toEqual([
      ['whiteboard', 1],
      ['slides', 0.5],
    ]);
    vi.advanceTimersByTime(POINTER_INTERVAL_MS);
    expect(sent.map((p) => [p.panel, p.x, p.seq])).toEqual([
      ['whiteboard', 1, 1],
      ['slides', 0.5, 2],
      ['whiteboard', 3, 3],
    ]);
    throttle.cancel();
  });
});
