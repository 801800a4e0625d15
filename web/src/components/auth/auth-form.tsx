'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { api, errorMessage, fieldProblems } from '@/lib/api/client';
import styles from './auth-form.module.css';

type Mode = 'login' | 'register';

interface FieldErrors {
  name?: string;
  organization?: string;
  email?: string;
  password?: string;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateAuthForm(mode: Mode, values: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  if (mode === 'register' && !values.name?.trim()) errors.name = 'Please enter your name.';
  if (mode === 'register' && !values.organization?.trim()) {
    errors.organization = 'Name your organization.';
  }
  if (!EMAIL_PATTERN.test(values.email ?? '')) errors.email = 'Enter a valid email address.';
  const password = values.password ?? '';
  if (mode === 'register' && password.length < 10) {
    errors.password = 'Use at least 10 characters.';
  } else if (!password) {
    errors.password = 'Enter your password.';
  }
  return errors;
}

/** Only same-site dashboard paths are allowed as the post-login destination. */
export function safeNext(next: string | null | undefined): string {
  return next && next.startsWith('/dashboard') && !next.startsWith('//') ? next : '/dashboard';
}

export function AuthForm({ mode }: { mode: Mode }) {
  const router = useRouter();
  const params = useSearchParams();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    const found = validateAuthForm(mode, data);
    setErrors(found);
    setNotice(null);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    try {
      if (mode === 'register') {
        await api('/auth/register', {
          method: 'POST',
          noOrg: true,
          json: {
            email: data.email,
            password: data.password,
            display_name: data.name,
            organization_name: data.organization,
          },
        });
      } else {
        await api('/auth/login', {
          method: 'POST',
          noOrg: true,
          json: { email: data.email, password: data.password },
        });
      }
      router.replace(safeNext(params.get('next')));
    } catch (error) {
      const fields = fieldProblems(error);
      setErrors({
        email: fields.email,
        password: fields.password,
        name: fields.display_name,
        organization: fields.organization_name,
      });
      setNotice(errorMessage(error));
      setPending(false);
    }
  }

  const isRegister = mode === 'register';
  return (
    <form className={styles.form} onSubmit={(e) => void onSubmit(e)} noValidate>
      {isRegister && <Field label="Name" name="name" autoComplete="name" error={errors.name} />}
      {isRegister && (
        <Field
          label="Organization"
          name="organization"
          autoComplete="organization"
          error={errors.organization}
        />
      )}
      <Field
        label="Work email"
        name="email"
        type="email"
        autoComplete="email"
        error={errors.email}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={isRegister ? 'new-password' : 'current-password'}
        error={errors.password}
        hint={isRegister ? 'At least 10 characters.' : undefined}
      />
      {!isRegister && (
        <p className={styles.switch}>
          <Link href="/forgot-password" data-testid="forgot-password-link">
            Forgot password?
          </Link>
        </p>
      )}
      {notice && (
        <p className={styles.notice} role="alert" data-testid="auth-error">
          {notice}
        </p>
      )}
      <Button type="submit" block size="md" disabled={pending} aria-busy={pending || undefined}>
        {pending ? 'Please wait…' : isRegister ? 'Create account' : 'Sign in'}
      </Button>
      <p className={styles.switch}>
        {isRegister ? (
          <>
            Already have an account? <Link href="/login">Sign in</Link>
          </>
        ) : (
          <>
            New to Troupe? <Link href="/register">Create an account</Link>
          </>
        )}
      </p>
    </form>
  );
}

export function Field({
  label,
  name,
  type = 'text',
  autoComplete,
  error,
  hint,
}: {
  label: string;
  name: string;
  type?: string;
  autoComplete?: string;
  error?: string;
  hint?: string;
}) {
  const id = `field-${name}`;
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={styles.field}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        autoComplete={autoComplete}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={styles.input}
      />
      {error ? (
        <span id={`${id}-error`} className={styles.error}>
          {error}
        </span>
      ) : hint ? (
        <span id={`${id}-hint`} className={styles.hint}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}
