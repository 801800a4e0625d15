'use client';

import { useEffect, useState } from 'react';

/** Whole seconds elapsed since `startedAt` (ms epoch), frozen at `stoppedAt` when given. */
export function useSessionTimer(startedAt: number | null, stoppedAt: number | null = null): number {
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (startedAt === null || stoppedAt !== null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [startedAt, stoppedAt]);

  if (startedAt === null) return 0;
  return Math.max(0, Math.floor(((stoppedAt ?? now) - startedAt) / 1000));
}
