'use client';

import { useStoredSession } from '@/features/session/hooks/use-stored-session';
import { ButtonLink } from '@/components/ui/button';
import { AlertIcon } from '@/components/ui/icons';
import { SessionNotice } from './session-notice';
import { SessionRoom } from './session-room';
import styles from './session.module.css';

export function SessionPageClient({ sessionId }: { sessionId: string }) {
  const state = useStoredSession(sessionId);

  if (state.status === 'loading') {
    return (
      <div className={styles.fullCenter} aria-busy="true">
        <span className={styles.spinner} aria-label="Loading session" />
      </div>
    );
  }
  if (state.status === 'missing') return <SessionExpired />;
  return <SessionRoom key={sessionId} sessionId={sessionId} stored={state.stored} />;
}

export function SessionExpired({ embedKey }: { embedKey?: string }) {
  return (
    <SessionNotice
      testId="session-expired"
      icon={<AlertIcon size={26} />}
      title="This session link has expired — start a new one"
      actions={
        <ButtonLink href={embedKey ? `/embed/${encodeURIComponent(embedKey)}` : '/'}>
          Start a new conversation
        </ButtonLink>
      }
    >
      <p>
        Conversation links only work in the browser tab that started them, and only for a short
        time. Start a new conversation to talk to the agent again.
      </p>
    </SessionNotice>
  );
}
