import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

vi.mock('next/navigation', () => ({
  useRouter: () => ({ replace: vi.fn(), push: vi.fn() }),
  useSearchParams: () => new URLSearchParams(),
}));
import { AuthForm, safeNext, validateAuthForm } from './auth-form';

describe('auth form', () => {
  it('validates register input', () => {
    expect(validateAuthForm('register', { name: '', email: 'x', password: 'short' })).toEqual({
      name: 'Please enter your name.',
      organization: 'Name your organization.',
      email: 'Enter a valid email address.',
      password: 'Use at least 10 characters.',
    });
    expect(validateAuthForm('login', { email: 'a@b.co', password: 'x' })).toEqual({});
  });

  it('only follows dashboard paths after sign-in', () => {
    expect(safeNext('/dashboard/agents')).toBe('/dashboard/agents');
    expect(safeNext('https://evil.example')).toBe('/dashboard');
    expect(safeNext(null)).toBe('/dashboard');
  });

  it('shows field errors on submit', () => {
    render(<AuthForm mode="login" />);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByText('Enter a valid email address.')).toBeInTheDocument();
    expect(screen.getByLabelText('Work email')).toHaveAttribute('aria-invalid', 'true');
  });
});
