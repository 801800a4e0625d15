'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, errorMessage } from '@/lib/api/client';
import styles from './auth-form.module.css';

type State =
  { kind: 'working' } | { kind: 'done'; email: string } | { kind: 'failed'; message: string };

interface OneTimeLinkProps {
  /** The API path the link's token is posted to (once). */
  path: string;
  working: string;
  done: (email: string) => ReactNode;
  /** `data-testid` prefix: `<prefix>-done` / `<prefix>-failed`. */
  testId: { done: string; failed: string };
}

/** Opens a link mailed with a one-time `token`: posts it to `path` once, then says what
 *  happened (the token is the credential, so this works signed in or not). */
function OneTimeLink({ path, working, done, testId }: OneTimeLinkProps) {
  const token = useSearchParams().get('token') ?? '';
  const [state, setState] = useState<State>(() =>
    token
      ? { kind: 'working' }
      : { kind: 'failed', message: 'This link has no token. Open the link from the email again.' },
  );
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true; // the token works once: never send it twice (strict mode, re-renders)
    api<{ email: string }>(path, { method: 'POST', noOrg: true, json: { token } }).then(
      (r) => setState({ kind: 'done', email: r.email }),
      (err: unknown) => setState({ kind: 'failed', message: errorMessage(err) }),
    );
  }, [path, token]);

  if (state.kind === 'working') {
    return (
      <p role="status" className={styles.switch}>
        {working}
      </p>
    );
  }
  return (
    <div className={styles.form}>
      {state.kind === 'done' ? (
        <p role="status" data-testid={testId.done}>
          {done(state.email)}
        </p>
      ) : (
        <p className={styles.notice} role="alert" data-testid={testId.failed}>
          {state.message}
        </p>
      )}
      <p className={styles.switch}>
        <Link href="/dashboard/settings">Go to your settings</Link>
      </p>
    </div>
  );
}

/** Opens the link mailed to a new address: `POST /auth/email/confirm` with its token (once). */
export function ConfirmEmail() {
  return (
    <OneTimeLink
      path="/auth/email/confirm"
      working="Confirming your new address…"
      done={(email) => (
        <>
          Your email address is now <strong>{email}</strong>.
        </>
      )}
      testId={{ done: 'email-confirmed', failed: 'email-confirm-failed' }}
    />
  );
}

/** Opens the link mailed at sign-up: `POST /auth/email-verification/confirm` (once). */
export function VerifyEmail() {
  return (
    <OneTimeLink
      path="/auth/email-verification/confirm"
      working="Verifying your address…"
      done={(email) => (
        <>
          Thank you: <strong>{email}</strong> is verified.
        </>
      )}
      testId={{ done: 'email-verified', failed: 'email-verify-failed' }}
    />
  );
}
