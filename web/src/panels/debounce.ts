export interface KeyedDebouncer<T> {
  /** Schedules `value` for `key`; a later call within `delayMs` replaces it. */
  push: (key: string, value: T) => void;
  /** Delivers pending values now (e.g. before a panel closes). */
  flush: (key?: string) => void;
  cancel: () => void;
}

/** Trailing debounce per key: bursts become one delivery of the latest value. */
export function createKeyedDebouncer<T>(
  delayMs: number,
  deliver: (key: string, value: T) => void,
): KeyedDebouncer<T> {
  const pending = new Map<string, { value: T; timer: ReturnType<typeof setTimeout> }>();
  const fire = (key: string) => {
    const entry = pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(key);
    deliver(key, entry.value);
  };
  return {
    push(key, value) {
      const existing = pending.get(key);
      if (existing) clearTimeout(existing.timer);
      pending.set(key, { value, timer: setTimeout(() => fire(key), delayMs) });
    },
    flush(key) {
      if (key !== undefined) fire(key);
      else for (const k of [...pending.keys()]) fire(k);
    },
    cancel() {
      for (const entry of pending.values()) clearTimeout(entry.timer);
      pending.clear();
    },
  };
}

export const CONTENT_EVENT_DEBOUNCE_MS = 500;
