'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import styles from './auth-form.module.css';

type Mode = 'login' | 'register';

interface FieldErrors {
  name?: string;
  email?: string;
  password?: string;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateAuthForm(mode: Mode, values: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  if (mode === 'register' && !values.name?.trim()) errors.name = 'Please enter your name.';
  if (!EMAIL_PATTERN.test(values.email ?? '')) errors.email = 'Enter a valid email address.';
  const password = values.password ?? '';
  if (mode === 'register' && password.length < 10) {
    errors.password = 'Use at least 10 characters.';
  } else if (!password) {
    errors.password = 'Enter your password.';
  }
  return errors;
}

export function AuthForm({ mode }: { mode: Mode }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    const found = validateAuthForm(mode, data);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    // The auth endpoints are not part of the contracts yet (see web/README.md).
    setNotice('Accounts are not enabled on this Troupe server yet. Please try again later.');
  }

  const isRegister = mode === 'register';
  return (
    <form className={styles.form} onSubmit={onSubmit} noValidate>
      {isRegister && <Field label="Name" name="name" autoComplete="name" error={errors.name} />}
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
      {notice && (
        <p className={styles.notice} role="status">
          {notice}
        </p>
      )}
      <Button type="submit" block size="md">
        {isRegister ? 'Create account' : 'Sign in'}
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

function Field({
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
