'use client';

import { useEffect, useState } from 'react';
import type { SessionRead } from '@/contracts';

/** Tries to read why the server ended the session: the reason is stored a moment after the
 * room closes (the agent's last log batch or the room webhook), so it is asked a few times. */
export const CLOSE_REASON_TRIES = 6;
export const CLOSE_REASON_INTERVAL_MS = 1000;

/**
 * `close_reason` of a session the server ended, read with `read` while `enabled`; `null` until
 * the API has one (or when every bounded try failed: the page then says a plain "ended").
 */
export function useCloseReason(
  enabled: boolean,
  read: () => Promise<SessionRead>,
  { tries = CLOSE_REASON_TRIES, intervalMs = CLOSE_REASON_INTERVAL_MS } = {},
): string | null {
  const [reason, setReason] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (left: number) => {
      read().then(
        (session) => {
          if (!active) return;
          if (session.close_reason) setReason(session.close_reason);
          else if (left > 1) timer = setTimeout(() => attempt(left - 1), intervalMs);
        },
        () => {
          if (active && left > 1) timer = setTimeout(() => attempt(left - 1), intervalMs);
        },
      );
    };
    attempt(tries);
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [enabled, read, tries, intervalMs]);
  return reason;
}
