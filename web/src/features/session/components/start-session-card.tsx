'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { isApiError } from '@/lib/api/api-error';
import { startSession } from '@/lib/api/sessions';
import { saveSession } from '@/features/session/lib/session-store';
import type { SessionVariables } from '@/features/session/lib/embed-variables';
import {
  joinServerStartedSession,
  parseJoinFragment,
  type JoinDetails,
} from '@/features/session/lib/embed-join';
import { ThemeToggle } from '@/components/theme/theme-toggle';
import { Button } from '@/components/ui/button';
import { AlertIcon, MicIcon } from '@/components/ui/icons';
import { LogoMark } from '@/components/ui/logo';
import { CopyDetailsButton } from '@/features/session/components/copy-details-button';
import { RecordingConsent } from '@/features/session/components/recording-notice';
import styles from './start-session-card.module.css';

export function StartSessionCard({
  embedKey,
  agentName,
  variables = {},
}: {
  embedKey: string;
  agentName?: string;
  /** Session variables from the embed page's address (embed-variables.ts). */
  variables?: SessionVariables;
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<{ message: string; code: string } | null>(null);
  // Join mode: the customer's backend started the session and linked here with
  // `#session=<id>&token=<participant token>` (embed-join.ts).
  const [join, setJoin] = useState<JoinDetails | null>(null);

  useEffect(() => {
    const details = parseJoinFragment(window.location.hash);
    if (!details) return;
    // The token leaves the address bar and the history at once.
    window.history.replaceState(
      window.history.state,
      '',
      window.location.pathname + window.location.search,
    );
    // eslint-disable-next-line react-hooks/set-state-in-effect -- read once, after hydration
    setJoin(details);
  }, []);

  async function start() {
    setPending(true);
    setError(null);
    try {
      const response = join
        ? await joinServerStartedSession(embedKey, join)
        : await startSession({ embed_key: embedKey, variables });
      saveSession(response, { embedKey });
      // Client-side navigation keeps this click's user activation, so audio can autoplay.
      router.push(`/s/${encodeURIComponent(response.connection.session_id)}`);
    } catch (cause) {
      setError(
        isApiError(cause)
          ? { message: cause.message, code: cause.code }
          : {
              message: 'Something went wrong. Please try again in a moment.',
              code: cause instanceof Error ? cause.name : 'unknown',
            },
      );
      setPending(false);
    }
  }

  return (
    <div className={styles.page}>
      <div className={styles.corner}>
        <ThemeToggle />
      </div>
      <main className={styles.card}>
        <div className={styles.avatar} aria-hidden="true">
          <LogoMark size={56} />
        </div>
        <h1 className={styles.title} data-testid="embed-title">
          {agentName ? `Talk to ${agentName}` : 'Talk to our AI assistant'}
        </h1>
        <p className={styles.lead}>
          Have a real-time voice conversation. You can speak naturally and interrupt at any time.
        </p>
        <RecordingConsent embedKey={embedKey} />
        <Button
          size="lg"
          block
          onClick={() => void start()}
          disabled={pending}
          data-testid={join ? 'join-session' : 'start-session'}
          aria-busy={pending || undefined}
        >
          <MicIcon size={22} />
          {join
            ? pending
              ? 'Joining your conversation…'
              : 'Join conversation'
            : pending
              ? 'Creating your conversation…'
              : 'Start conversation'}
        </Button>
        {error && (
          <>
            <p className={styles.error} role="alert" data-testid="start-error">
              <AlertIcon size={18} />
              <span>{error.message}</span>
            </p>
            <CopyDetailsButton code={error.code} sessionId="not started" message={error.message} />
          </>
        )}
        <p className={styles.consent}>
          By starting, you agree that this conversation is processed by AI to answer you, and that
          you’re talking to an AI, not a person. Your browser will ask for microphone access.
        </p>
      </main>
      <p className={styles.powered}>
        Powered by <strong>Troupe</strong>
      </p>
    </div>
  );
}
