'use client';

import { useEffect, useState } from 'react';
import type { RecordingNotice as RecordingNoticeData } from '@/contracts';
import { apiFetch } from '@/lib/api/api-fetch';
import styles from './recording-notice.module.css';

/**
 * During a recorded call: a persistent "REC" badge with the template's consent text. Renders
 * nothing when the session is not recorded (or was stored before recordings existed).
 */
export function RecordingIndicator({ recording }: { recording?: RecordingNoticeData }) {
  if (!recording?.enabled) return null;
  return (
    <div className={styles.indicator} role="status" aria-live="polite">
      <span className={styles.badge} data-testid="recording-badge">
        <span className={styles.dot} aria-hidden="true" />
        REC
      </span>
      <span className={styles.text} data-testid="recording-consent">
        {recording.consent_text}
      </span>
    </div>
  );
}

/** Before joining: asks the public embed info whether sessions are recorded and says so. */
export function RecordingConsent({ embedKey }: { embedKey: string }) {
  const [recording, setRecording] = useState<RecordingNoticeData | null>(null);
  useEffect(() => {
    let live = true;
    apiFetch<{ recording?: RecordingNoticeData }>(`/api/v1/embed/${encodeURIComponent(embedKey)}`)
      .then((info) => {
        if (live) setRecording(info.recording ?? null);
      })
      .catch(() => undefined); // the start button reports embed-key problems itself
    return () => {
      live = false;
    };
  }, [embedKey]);
  if (!recording?.enabled) return null;
  return (
    <p className={styles.prejoin} data-testid="recording-prejoin">
      <span className={styles.badge}>
        <span className={styles.dot} aria-hidden="true" />
        REC
      </span>
      <span>{recording.consent_text}</span>
    </p>
  );
}
