'use client';

import { useMemo, useSyncExternalStore } from 'react';
import {
  loadSession,
  sessionStorageKey,
  type StoredSession,
} from '@/features/session/lib/session-store';

export type StoredSessionState =
  { status: 'loading' } | { status: 'missing' } | { status: 'ready'; stored: StoredSession };

const noop = () => () => {};

/** The connection details the start page left in sessionStorage for this session id. */
export function useStoredSession(sessionId: string): StoredSessionState {
  const raw = useSyncExternalStore(
    noop,
    () => {
      try {
        return window.sessionStorage.getItem(sessionStorageKey(sessionId)) ?? '';
      } catch {
        return '';
      }
    },
    () => undefined,
  );
  return useMemo(() => {
    if (raw === undefined) return { status: 'loading' };
    const stored = raw ? loadSession(sessionId) : null;
    return stored ? { status: 'ready', stored } : { status: 'missing' };
  }, [raw, sessionId]);
}
