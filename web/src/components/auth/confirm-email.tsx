'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { api, errorMessage, type Schema } from '@/lib/api/client';
import styles from './auth-form.module.css';

type State =
  { kind: 'working' } | { kind: 'done'; email: string } | { kind: 'failed'; message: string };

/** Opens the link mailed to a new address: `POST /auth/email/confirm` with its token (once). */
export function ConfirmEmail() {
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
    api<Schema<'EmailChanged'>>('/auth/email/confirm', {
      method: 'POST',
      noOrg: true,
      json: { token },
    }).then(
      (r) => setState({ kind: 'done', email: r.email }),
      (err: unknown) => setState({ kind: 'failed', message: errorMessage(err) }),
    );
  }, [token]);

  if (state.kind === 'working') {
    return (
      <p role="status" className={styles.switch}>
        Confirming your new address…
      </p>
    );
  }
  return (
    <div className={styles.form}>
      {state.kind === 'done' ? (
        <p role="status" data-testid="email-confirmed">
          Your email address is now <strong>{state.email}</strong>.
        </p>
      ) : (
        <p className={styles.notice} role="alert" data-testid="email-confirm-failed">
          {state.message}
        </p>
      )}
      <p className={styles.switch}>
        <Link href="/dashboard/settings">Go to your settings</Link>
      </p>
    </div>
  );
}
