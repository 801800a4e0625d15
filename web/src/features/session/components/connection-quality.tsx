'use client';

import { AlertIcon } from '@/components/ui/icons';
import {
  poorConnectionNotice,
  qualityBars,
  qualityLabel,
  type QualityLevel,
} from '@/features/session/lib/connection-quality';
import styles from './session.module.css';

/** Three signal bars for the local connection's quality (LiveKit's score), in the top bar. */
export function ConnectionQualityIndicator({ level }: { level: QualityLevel }) {
  const lit = qualityBars(level);
  return (
    <span
      className={styles.quality}
      data-quality={level}
      data-testid="connection-quality"
      role="img"
      aria-label={qualityLabel(level)}
      title={qualityLabel(level)}
    >
      {[1, 2, 3].map((bar) => (
        <span key={bar} className={styles.qualityBar} data-lit={bar <= lit} aria-hidden="true" />
      ))}
    </span>
  );
}

/** "Your connection is poor": shown once the quality has stayed poor or lost a few seconds. */
export function PoorConnectionBanner({ level, show }: { level: QualityLevel; show: boolean }) {
  if (!show) return null;
  return (
    <div
      className={styles.banner}
      data-tone="warning"
      role="status"
      data-testid="poor-connection"
      data-quality={level}
    >
      <AlertIcon size={20} />
      <div className={styles.bannerText}>
        <strong>{level === 'lost' ? 'Connection lost' : 'Your connection is poor'}</strong>
        <span>{poorConnectionNotice(level)}</span>
      </div>
    </div>
  );
}
