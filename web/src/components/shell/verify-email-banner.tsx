'use client';

import { useState } from 'react';
import { useSession } from '@/components/auth/session-provider';
import { Button } from '@/components/ui/button';
import { api, errorMessage, type Schema } from '@/lib/api/client';
import styles from './dashboard-shell.module.css';

type Resend =
  { kind: 'idle' } | { kind: 'sending' } | { kind: 'sent' } | { kind: 'failed'; message: string };

/** Until the signed-in user opens the link mailed at sign-up, the dashboard says so and can
 *  mail a new link (`POST /auth/email-verification`, rate limited by the API). */
export function VerifyEmailBanner() {
  const { me, reloadMe } = useSession();
  const [resend, setResend] = useState<Resend>({ kind: 'idle' });
  if (me.user.email_verified_at !== null) return null;

  const send = async () => {
    setResend({ kind: 'sending' });
    try {
      const r = await api<Schema<'EmailVerificationSent'>>('/auth/email-verification', {
        method: 'POST',
        noOrg: true,
      });
      if (r.sent) setResend({ kind: 'sent' });
      else await reloadMe(); // verified meanwhile (another tab): the banner goes
    } catch (err) {
      setResend({ kind: 'failed', message: errorMessage(err) });
    }
  };

  return (
    <div className={styles.verifyBanner} role="status" data-testid="verify-email-banner">
      <span>
        Please verify <strong>{me.user.email}</strong>: open the link we mailed you.{' '}
        {resend.kind === 'sent' && (
          <span data-testid="verify-email-sent">A new link is on its way.</span>
        )}
        {resend.kind === 'failed' && (
          <span role="alert" data-testid="verify-email-error">
            {resend.message}
          </span>
        )}
      </span>
      <Button
        variant="secondary"
        size="sm"
        disabled={resend.kind === 'sending'}
        onClick={() => void send()}
        data-testid="verify-email-resend"
      >
        {resend.kind === 'sending' ? 'Sending…' : 'Send a new link'}
      </Button>
    </div>
  );
}
