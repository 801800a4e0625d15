'use client';

import { useCallback, useEffect, useState } from 'react';

export const AGENT_JOIN_TIMEOUT_MS = 20_000;

/**
 * True once `waiting` has stayed true for `timeoutMs` (the agent never joined).
 * `reset` clears it, e.g. before retrying.
 */
export function useAgentJoinTimeout(
  waiting: boolean,
  timeoutMs: number = AGENT_JOIN_TIMEOUT_MS,
): { timedOut: boolean; reset: () => void } {
  const [timedOut, setTimedOut] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setTimedOut(true), timeoutMs);
    return () => clearTimeout(timer);
  }, [waiting, timeoutMs, generation]);

  const reset = useCallback(() => {
    setTimedOut(false);
    setGeneration((n) => n + 1);
  }, []);

  return { timedOut: waiting && timedOut, reset };
}
