'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { api, errorMessage, fieldProblems } from '@/lib/api/client';
import { Field } from './auth-form';
import styles from './auth-form.module.css';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateNewPassword(password: string, confirm: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (password.length < 10) errors.password = 'Use at least 10 characters.';
  if (confirm !== password) errors.confirm = 'The passwords do not match.';
  return errors;
}

function formValues(event: FormEvent<HTMLFormElement>): Record<string, string> {
  return Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
}

/** "Forgot password": `POST /auth/password-reset` always answers the same, so the page never
 * says whether an account exists. */
export function ForgotPasswordForm() {
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = (formValues(event).email ?? '').trim();
    setNotice(null);
    if (!EMAIL_PATTERN.test(email)) {
      setError('Enter a valid email address.');
      return;
    }
    setError(undefined);
    setPending(true);
    try {
      await api('/auth/password-reset', { method: 'POST', noOrg: true, json: { email } });
      setSentTo(email);
    } catch (err) {
      setError(fieldProblems(err).email);
      setNotice(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  if (sentTo) {
    return (
      <div className={styles.form}>
        <p role="status" data-testid="reset-requested">
          If an account exists for <strong>{sentTo}</strong>, we sent it a link to choose a new
          password. The link works once, within one hour.
        </p>
        <p className={styles.switch}>
          <Link href="/login">Back to sign in</Link>
        </p>
      </div>
    );
  }
  return (
    <form className={styles.form} onSubmit={(e) => void onSubmit(e)} noValidate>
      <Field label="Work email" name="email" type="email" autoComplete="email" error={error} />
      {notice && (
        <p className={styles.notice} role="alert" data-testid="reset-error">
          {notice}
        </p>
      )}
      <Button type="submit" block size="md" disabled={pending} aria-busy={pending || undefined}>
        {pending ? 'Please wait…' : 'Send reset link'}
      </Button>
      <p className={styles.switch}>
        Remembered it? <Link href="/login">Sign in</Link>
      </p>
    </form>
  );
}

/** Opens the mailed link: a new password (twice), then `POST /auth/password-reset/confirm`
 * with the link's token; every session is signed out, so the next step is signing in. */
export function ResetPasswordForm() {
  const token = useSearchParams().get('token') ?? '';
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = formValues(event);
    const found = validateNewPassword(data.password ?? '', data.confirm ?? '');
    setErrors(found);
    setNotice(null);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    try {
      await api('/auth/password-reset/confirm', {
        method: 'POST',
        noOrg: true,
        json: { token, password: data.password },
      });
      setDone(true);
    } catch (err) {
      setErrors({ password: fieldProblems(err).password ?? '' });
      setNotice(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  if (!token) {
    return (
      <div className={styles.form}>
        <p className={styles.notice} role="alert" data-testid="reset-error">
          This link has no token. Open the link from the email again.
        </p>
        <p className={styles.switch}>
          <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      </div>
    );
  }
  if (done) {
    return (
      <div className={styles.form}>
        <p role="status" data-testid="password-reset-done">
          Your password is changed and every session was signed out.
        </p>
        <p className={styles.switch}>
          <Link href="/login">Sign in with your new password</Link>
        </p>
      </div>
    );
  }
  return (
    <form className={styles.form} onSubmit={(e) => void onSubmit(e)} noValidate>
      <Field
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        error={errors.password || undefined}
        hint="At least 10 characters."
      />
      <Field
        label="Confirm new password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        error={errors.confirm}
      />
      {notice && (
        <p className={styles.notice} role="alert" data-testid="reset-error">
          {notice}
        </p>
      )}
      <Button type="submit" block size="md" disabled={pending} aria-busy={pending || undefined}>
        {pending ? 'Please wait…' : 'Set new password'}
      </Button>
      <p className={styles.switch}>
        Link expired? <Link href="/forgot-password">Ask for a new one</Link>
      </p>
    </form>
  );
}
