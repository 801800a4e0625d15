'use client';

import { useEffect, useRef, useState } from 'react';
import type { TranscriptEntry } from '@/features/session/lib/transcript';
import styles from './session.module.css';

/** Distance from the bottom (px) within which new lines keep the list pinned to the end. */
const STICK_THRESHOLD = 80;

export function TranscriptList({
  entries,
  agentName,
}: {
  entries: TranscriptEntry[];
  agentName: string | undefined;
}) {
  const listRef = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);
  const last = entries.at(-1);
  // Every agent of a session speaks through one participant, so a line is labelled with the
  // agent that was active when the line first appeared (not whoever is active now).
  const [speakers, setSpeakers] = useState<Record<string, string>>({});
  const unlabelled = agentName
    ? entries.filter((e) => e.role !== 'user' && !(e.id in speakers))
    : [];
  if (unlabelled.length > 0 && agentName) {
    // Adjusting state while rendering (React's pattern for state derived from props over time).
    const next = { ...speakers };
    for (const e of unlabelled) next[e.id] = agentName;
    setSpeakers(next);
  }

  useEffect(() => {
    const list = listRef.current;
    if (list && pinned.current) list.scrollTop = list.scrollHeight;
  }, [entries.length, last?.text]);

  return (
    <section className={styles.transcript} aria-label="Transcript">
      {entries.length === 0 ? (
        <p className={styles.transcriptEmpty}>The conversation transcript will appear here.</p>
      ) : (
        <ol
          ref={listRef}
          className={styles.transcriptList}
          aria-live="polite"
          onScroll={(event) => {
            const el = event.currentTarget;
            pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_THRESHOLD;
          }}
        >
          {entries.map((entry) => (
            <li key={entry.id} className={styles.turn} data-role={entry.role}>
              <span className={styles.speaker}>
                {entry.role === 'user' ? 'You' : (speakers[entry.id] ?? agentName ?? 'Agent')}
              </span>
              <p
                className={styles.bubble}
                data-testid="transcript-entry"
                data-role={entry.role}
                data-final={entry.final}
              >
                {entry.text}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
