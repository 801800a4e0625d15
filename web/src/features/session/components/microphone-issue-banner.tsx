'use client';

import { MICROPHONE_ISSUES, type MicrophoneIssue } from '@/features/session/media/media-errors';
import { MicOffIcon } from '@/components/ui/icons';
import styles from './session.module.css';

export function MicrophoneIssueBanner({
  issue,
  onRetry,
}: {
  issue: MicrophoneIssue | null;
  onRetry: () => void;
}) {
  if (!issue) return null;
  const copy = MICROPHONE_ISSUES[issue];
  return (
    <div
      className={styles.banner}
      data-tone="warning"
      role="alert"
      data-testid="mic-issue"
      data-issue={issue}
    >
      <MicOffIcon size={20} />
      <div className={styles.bannerText}>
        <strong>{copy.title}</strong>
        <span>
          {copy.body} {copy.fix}
        </span>
      </div>
      {issue !== 'insecure' && (
        <button type="button" className={styles.bannerButton} onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
