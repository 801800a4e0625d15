import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AuthForm, validateAuthForm } from './auth-form';

describe('auth form', () => {
  it('validates register input', () => {
    expect(validateAuthForm('register', { name: '', email: 'x', password: 'short' })).toEqual({
      name: 'Please enter your name.',
      email: 'Enter a valid email address.',
      password: 'Use at least 10 characters.',
    });
    expect(validateAuthForm('login', { email: 'a@b.co', password: 'x' })).toEqual({});
  });

  it('shows field errors on submit', () => {
    render(<AuthForm mode="login" />);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByText('Enter a valid email address.')).toBeInTheDocument();
    expect(screen.getByLabelText('Work email')).toHaveAttribute('aria-invalid', 'true');
  });
});
