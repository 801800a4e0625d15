import type { Room } from 'livekit-client';
import {
  TOPIC_TRANSIENT,
  TRANSIENT_MAX_BYTES,
  type PanelPointer,
  type PanelType,
} from '@/contracts';

/** At most one lossy pointer packet per panel this often (the latest position wins). */
export const POINTER_INTERVAL_MS = 50;
const MAX_STROKE_NUMBERS = 200;

export type PointerUpdate = Pick<PanelPointer, 'x' | 'y'> &
  Partial<Pick<PanelPointer, 'drawing' | 'stroke'>>;

const encoder = new TextEncoder();
const round = (v: number) => Math.round(v * 10) / 10;

/** The packet for `update`, within TRANSIENT_MAX_BYTES: a long stroke keeps its latest points. */
export function encodePointer(
  panel: PanelType,
  seq: number,
  update: PointerUpdate,
): Uint8Array<ArrayBuffer> {
  const all = update.stroke ?? [];
  const end = all.length - (all.length % 2); // whole x,y pairs
  let stroke = all.slice(Math.max(0, end - MAX_STROKE_NUMBERS), end).map(round);
  for (;;) {
    const pointer: PanelPointer = {
      type: 'panel_pointer',
      panel,
      seq,
      x: round(update.x),
      y: round(update.y),
      drawing: update.drawing ?? false,
      stroke,
    };
    const bytes = encoder.encode(JSON.stringify(pointer));
    if (bytes.length <= TRANSIENT_MAX_BYTES || stroke.length === 0) return bytes;
    stroke = stroke.slice(Math.max(2, Math.floor(stroke.length / 8) * 2)); // oldest points first
  }
}

/** Publishes one packet on the lossy data channel (`reliable: false`): no retransmission, no
 * ordering, nothing queued behind it; the agent keeps the newest by `seq`. */
export async function sendTransient(
  room: Pick<Room, 'localParticipant'>,
  packet: Uint8Array<ArrayBuffer>,
): Promise<void> {
  await room.localParticipant.publishData(packet, { reliable: false, topic: TOPIC_TRANSIENT });
}

/** Per panel: sends the first update at once, then at most one every `interval` ms (the latest,
 * trailing), each with the next sequence number. */
export function createPointerThrottle(
  send: (packet: Uint8Array<ArrayBuffer>) => void,
  interval = POINTER_INTERVAL_MS,
) {
  let seq = 0;
  const state = new Map<
    PanelType,
    { last: number; pending: PointerUpdate | null; timer: ReturnType<typeof setTimeout> | null }
  >();
  const flush = (panel: PanelType) => {
    const entry = state.get(panel);
    if (!entry?.pending) return;
    seq += 1;
    send(encodePointer(panel, seq, entry.pending));
    entry.pending = null;
    entry.last = Date.now();
    entry.timer = null;
  };
  return {
    push(panel: PanelType, update: PointerUpdate) {
      const entry = state.get(panel) ?? { last: 0, pending: null, timer: null };
      state.set(panel, entry);
      entry.pending = update;
      const wait = entry.last + interval - Date.now();
      if (wait <= 0 && !entry.timer) flush(panel);
      else entry.timer ??= setTimeout(() => flush(panel), Math.max(0, wait));
    },
    cancel() {
      for (const entry of state.values()) if (entry.timer) clearTimeout(entry.timer);
      state.clear();
    },
  };
}
