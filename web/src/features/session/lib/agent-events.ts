import type { Room } from 'livekit-client';
import { TOPIC_EVENTS, type AgentEvent } from '@/contracts';

export type AgentEventListener = (event: AgentEvent, fromIdentity: string) => void;

const listeners = new WeakMap<Room, Set<AgentEventListener>>();

/** Parses one `TOPIC_EVENTS` message; null for anything that is not an agent event. */
export function parseAgentEvent(text: string): AgentEvent | null {
  try {
    const value: unknown = JSON.parse(text);
    if (
      value &&
      typeof value === 'object' &&
      typeof (value as { type?: unknown }).type === 'string'
    ) {
      return value as AgentEvent;
    }
  } catch {
    // not JSON: ignored
  }
  return null;
}

/**
 * Listens to the agent's typed events (`TOPIC_EVENTS` text streams). LiveKit allows one handler
 * per topic and room, so every listener of a room shares one registration; the handler is
 * removed when the last listener leaves. Returns the unsubscribe function.
 */
export function subscribeAgentEvents(room: Room, listener: AgentEventListener): () => void {
  let set = listeners.get(room);
  if (!set) {
    const fresh = new Set<AgentEventListener>();
    set = fresh;
    listeners.set(room, fresh);
    room.registerTextStreamHandler(TOPIC_EVENTS, (reader, { identity }) => {
      reader
        .readAll()
        .then((text) => {
          const event = parseAgentEvent(text);
          if (event) for (const l of [...fresh]) l(event, identity);
        })
        .catch(() => undefined);
    });
  }
  set.add(listener);
  return () => {
    const current = listeners.get(room);
    if (!current) return;
    current.delete(listener);
    if (current.size === 0) {
      listeners.delete(room);
      room.unregisterTextStreamHandler(TOPIC_EVENTS);
    }
  };
}
