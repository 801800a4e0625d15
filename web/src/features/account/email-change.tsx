'use client';

import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { ErrorBanner, Notice, TextField, dash } from '@/components/ui/kit';
import { api, fieldProblems, type Schema } from '@/lib/api/client';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Change the e-mail address: the API mails a confirmation link to the new address, and the
 * address changes only once that link is opened (`/confirm-email`). */
export function EmailChange({
  email,
  pendingEmail,
  onChanged,
}: {
  email: string;
  pendingEmail: string | null | undefined;
  onChanged: () => Promise<void> | void;
}) {
  const [next, setNext] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const found: Record<string, string> = {};
    if (!EMAIL_PATTERN.test(next.trim())) found.email = 'Enter a valid email address.';
    else if (next.trim().toLowerCase() === email) found.email = 'That is already your address.';
    if (!password) found.current_password = 'Enter your current password.';
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await api<Schema<'EmailChangePending'>>('/me/email', {
        method: 'POST',
        noOrg: true,
        json: { email: next.trim(), current_password: password },
      });
      setNext('');
      setPassword('');
      await onChanged();
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function cancel() {
    setError(null);
    try {
      await api('/me/email', { method: 'DELETE', noOrg: true });
      await onChanged();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form className={dash.stack} onSubmit={(e) => void submit(e)} noValidate>
      <TextField label="Email" value={email} disabled readOnly />
      {pendingEmail && (
        <Notice testId="email-pending">
          We sent a confirmation link to <strong>{pendingEmail}</strong>. Your address changes when
          you open it.{' '}
          <Button variant="ghost" size="sm" type="button" onClick={() => void cancel()}>
            Cancel change
          </Button>
        </Notice>
      )}
      <ErrorBanner error={error} />
      <TextField
        label="New email"
        id="email-new"
        type="email"
        autoComplete="email"
        value={next}
        error={errors.email}
        onChange={(e) => setNext(e.target.value)}
      />
      <TextField
        label="Current password"
        id="email-password"
        type="password"
        autoComplete="current-password"
        value={password}
        error={errors.current_password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" variant="secondary" disabled={busy}>
        {busy ? 'Sending…' : 'Change email'}
      </Button>
    </form>
  );
}
